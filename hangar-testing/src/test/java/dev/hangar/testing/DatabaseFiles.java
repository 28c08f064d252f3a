package dev.hangar.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** What a control plane's SQLite database holds on disk, for tests that scan it for secrets. */
public final class DatabaseFiles {
    private DatabaseFiles() {}

    /**
     * @param home the control plane's home directory
     * @return the bytes of the SQLite file, its WAL and shared memory, as ISO-8859-1 text (byte for
     *     byte); asserts that there is some
     */
    public static String text(Path home) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(home)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("hangar.db"))
                    .toList()) {
                all.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(all).as("database files in " + home).isNotEmpty();
        return all.toString();
    }
}
