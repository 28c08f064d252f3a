package dev.hangar.provider.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hangar.provider.spi.CloudInitConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest side of VM secrets: the user-data carries the boot script first in bootcmd and runcmd
 * (also when the template sets its own lists), and the script itself, run for real with its two
 * paths moved into a temporary directory, mounts a tmpfs and copies the fw_cfg entries there as
 * 0400 files.
 */
class SecretsBootScriptTest {
    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void theBootScriptIsFirstInBootcmdAndRuncmdAndOnlyWhenAsked() throws Exception {
        var spec = CloudInitUserDataTest.spec(
                new CloudInitConfig(List.of(), List.of("echo template"), "bootcmd: [[echo, early]]\n"));
        Map<String, Object> doc = new ObjectMapper(new YAMLFactory())
                .readValue(CloudInitUserData.render(spec, true).substring("#cloud-config\n".length()), Map.class);
        List<Object> expected = List.of("sh", "-c", CloudInitUserData.SECRETS_SCRIPT, "hangar-secrets", spec.sshUser());
        assertThat((List<Object>) doc.get("bootcmd")).first().isEqualTo(expected);
        assertThat((List<Object>) doc.get("bootcmd")).hasSize(2);
        assertThat((List<Object>) doc.get("runcmd")).containsExactly(expected, "echo template");
        assertThat(CloudInitUserData.render(spec)).doesNotContain("qemu_fw_cfg");
    }

    @Test
    void theScriptCopiesTheEntriesOntoATmpfsAsReadOnlyFiles() throws Exception {
        Path secrets = tmp.resolve("var-secrets");
        Path fwcfg = tmp.resolve("fw_cfg");
        Files.createDirectories(fwcfg.resolve("names"));
        Files.writeString(fwcfg.resolve("names/raw"), "github-token\nid_ed25519\n");
        Files.createDirectories(fwcfg.resolve("s0"));
        Files.writeString(fwcfg.resolve("s0/raw"), "boot-script-value");
        Files.createDirectories(fwcfg.resolve("s1"));
        Files.write(fwcfg.resolve("s1/raw"), new byte[] {0, 1, (byte) 0xff});
        String script = CloudInitUserData.SECRETS_SCRIPT
                .replace("/var/secrets", secrets.toString())
                .replace("/sys/firmware/qemu_fw_cfg/by_name/opt/dev.hangar", fwcfg.toString());
        // in a mount namespace of its own, so the tmpfs vanishes with the process; prints what it saw
        String check = script + "; mountpoint -q " + secrets + " && echo TMPFS; stat -c '%a %n' " + secrets + "/*; cat "
                + secrets + "/github-token";
        Process p = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh", "-c", check, "x", "root")
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(
                !out.contains("unshare failed") && !out.contains("Operation not permitted"),
                "no mount namespaces here: " + out);
        assertThat(out)
                .as(out)
                .contains("TMPFS")
                .contains("400 " + secrets + "/github-token")
                .contains("400 " + secrets + "/id_ed25519")
                .contains("boot-script-value");
        // the tmpfs was in the test process's namespace only: nothing reached the directory on disk
        try (var files = Files.list(secrets)) {
            assertThat(files).isEmpty();
        }
    }
}
