package dev.hangar.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code hangar ssh} builds the ssh command line, and how keys are matched to registered ones. */
class SshCommandTest {
    private static final Path HOME = Path.of(System.getProperty("user.home"));

    @Test
    void optionsGoBeforeTheHostAndTheRestIsTheRemoteCommand() {
        assertThat(SshCommand.command("dev", List.of("-R", "3240:127.0.0.1:3240", "-tt", "uname", "-a"), HOME))
                .containsExactly("ssh", "-R", "3240:127.0.0.1:3240", "-tt", "dev.hangar", "uname", "-a");
        assertThat(SshCommand.command("dev", List.of("-L8080:localhost:80", "-v"), HOME))
                .containsExactly("ssh", "-L8080:localhost:80", "-v", "dev.hangar");
        assertThat(SshCommand.command("dev", List.of("--", "-weird-command"), HOME))
                .containsExactly("ssh", "dev.hangar", "-weird-command");
        assertThat(SshCommand.command("dev.bob", List.of(), HOME)).containsExactly("ssh", "dev.bob.hangar");
    }

    @Test
    void aRedirectedHomeIsPassedWithMinusF(@TempDir Path home) {
        assertThat(SshCommand.command("dev", List.of("true"), home))
                .containsExactly("ssh", "-F", home.resolve(".ssh/config").toString(), "dev.hangar", "true");
    }

    @Test
    void aNameThatIsNotAWorkspaceNameIsRefused() {
        assertThatThrownBy(() -> SshCommand.command("-oProxyCommand=x", List.of(), HOME))
                .isInstanceOf(CliException.class)
                .hasMessageContaining("not a workspace name");
    }

    @Test
    void fingerprintMatchesSshKeygen(@TempDir Path dir) throws IOException, InterruptedException {
        Path key = dir.resolve("id_ed25519");
        Process gen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                .redirectErrorStream(true)
                .start();
        assertThat(gen.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(gen.exitValue()).isZero();
        Process fp = new ProcessBuilder("ssh-keygen", "-l", "-E", "sha256", "-f", key + ".pub").start();
        String printed = new String(fp.getInputStream().readAllBytes()).split(" ")[1];
        assertThat(fp.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(SshSetup.fingerprint(Path.of(key + ".pub"))).hasValue(printed);
        Files.writeString(dir.resolve("junk.pub"), "not a key\n");
        assertThat(SshSetup.fingerprint(dir.resolve("junk.pub"))).isEmpty();
    }
}
