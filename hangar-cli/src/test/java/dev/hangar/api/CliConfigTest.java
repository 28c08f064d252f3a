package dev.hangar.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cli.yaml} as the server writes it and as people edit it, read without databind. */
class CliConfigTest {
    @TempDir
    Path dir;

    @Test
    void whatWriteWritesReadsBack() {
        Path file = dir.resolve("hangar/cli.yaml");
        new CliConfig("http://127.0.0.1:7080", "hgr_secret").write(file);
        assertThat(CliConfig.read(file)).contains(new CliConfig("http://127.0.0.1:7080", "hgr_secret"));
    }

    @Test
    void unknownKeysAreSkippedAndMissingOrNullOnesAreEmpty() throws IOException {
        Path file = write("# by hand\nnewer:\n  nested: [1, 2]\n  deeper: {a: b}\ntoken: hgr_x\nurl: ~\n");
        assertThat(CliConfig.read(file)).contains(new CliConfig("", "hgr_x"));
        assertThat(CliConfig.load(file, Map.of("HANGAR_URL", "http://h:1")))
                .isEqualTo(new CliConfig("http://h:1", "hgr_x"));
    }

    @Test
    void scalarsOfOtherTypesAreReadAsText() throws IOException {
        assertThat(CliConfig.read(write("token: 12345\nurl: 'http://a:7080'\n")))
                .contains(new CliConfig("http://a:7080", "12345"));
    }

    @Test
    void anEmptyOrAbsentFileHasNoConfig() throws IOException {
        assertThat(CliConfig.read(write(""))).isEmpty();
        assertThat(CliConfig.read(dir.resolve("absent.yaml"))).isEmpty();
    }

    @Test
    void aFileThatIsNotAMappingOfScalarsNamesTheFileAndTheProblem() throws IOException {
        Path list = write("- url\n- token\n");
        assertThatThrownBy(() -> CliConfig.read(list))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("cannot read " + list)
                .hasMessageContaining("found a list");
        Path nested = write("url:\n  host: a\n");
        assertThatThrownBy(() -> CliConfig.read(nested)).hasMessageContaining("'url' must be a string");
        Path broken = write("url: [unclosed\n");
        assertThatThrownBy(() -> CliConfig.read(broken)).hasMessageContaining("cannot read " + broken);
    }

    private Path write(String text) throws IOException {
        Path file = Files.createTempFile(dir, "cli", ".yaml");
        Files.writeString(file, text);
        return file;
    }
}
