package dev.hangar.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hangar console --help} gives state-true login advice: the login user's password is locked,
 * so it shows the user-data that sets one, and that snippet (with its placeholders filled in) is
 * the cloud-config a user would pass with {@code --user-data}.
 */
class ConsoleHelpTest {
    @TempDir
    Path home;

    @Test
    void helpSaysHowToSetAConsolePasswordThroughUserData() throws Exception {
        CliHarness.Result r = new CliHarness(home).run("console", "--help");

        assertThat(r.code()).isZero();
        assertThat(r.out()).doesNotContain("getty").contains("locks the login user's password", "--user-data FILE");
        String snippet = Arrays.stream(r.out().split("\n"))
                .dropWhile(l -> !l.strip().equals("#cloud-config"))
                .takeWhile(l -> l.startsWith("  "))
                .map(String::strip)
                .collect(Collectors.joining("\n"));
        assertThat(snippet).startsWith("#cloud-config\nchpasswd:");

        String hash =
                "$6$abcdefgh$yIZAF3gQPvtKZO/9qOJKffAKKbtS3ef3qmwyugk4uWVjX8YZf/GV3A8SkFxEPY0T56CcilGrHKLffBsp6dLMG.";
        JsonNode doc = new ObjectMapper(new YAMLFactory())
                .readTree(snippet.replace("USER", "alice").replace("HASH", hash));
        assertThat(doc.path("chpasswd").path("expire").asBoolean(true)).isFalse();
        JsonNode user = doc.path("chpasswd").path("users").path(0);
        assertThat(user.path("name").asText()).isEqualTo("alice");
        assertThat(user.path("password").asText()).isEqualTo(hash);
        assertThat(user.path("type").asText()).isEqualTo("hash");
    }
}
