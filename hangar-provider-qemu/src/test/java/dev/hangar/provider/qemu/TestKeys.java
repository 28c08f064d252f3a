package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Test helpers: real ed25519 keys from the real {@code ssh-keygen}, and workspace specs. */
final class TestKeys {
    private TestKeys() {}

    /** Generates {@code dir/name} and {@code dir/name.pub} with ssh-keygen (openssh-client). */
    static Path generate(Path dir, String name) throws IOException, InterruptedException {
        Path key = dir.resolve(name);
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", key.toString())
                .redirectErrorStream(true)
                .start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(
                    "ssh-keygen failed: " + new String(p.getInputStream().readAllBytes()));
        }
        return key;
    }

    /** @return the key pair at {@code key} as a pinned Hangar host key */
    static SshHostKey hostKey(Path key) throws IOException {
        String[] pub = Files.readString(key.resolveSibling(key.getFileName() + ".pub"))
                .strip()
                .split(" ");
        return new SshHostKey(pub[0], Files.readString(key), pub[0] + " " + pub[1]);
    }

    static WorkspaceSpec spec(
            String id,
            String name,
            SshHostKey hostKey,
            List<String> authorizedKeys,
            Resources resources,
            String image,
            CloudInitConfig cloudInit) {
        return new WorkspaceSpec(
                id,
                name,
                "alice",
                "debian-12",
                resources,
                image,
                "alice",
                authorizedKeys,
                hostKey,
                cloudInit,
                Map.of());
    }
}
