package dev.hangar.provider.kubevirt;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** Workspace specs with unique names, so tests can share a mock server or run in parallel. */
final class VmSpecs {
    private static final AtomicInteger SEQ = new AtomicInteger();

    static final String NS = "hangar-vms";

    /** One console socket directory for the JVM's providers (socket names are unique workspace ids). */
    static final Path CONSOLE_DIR = tempDir();

    /** Placeholder key material: the provider copies it into the user-data and never parses it. */
    static final SshHostKey HOST_KEY = new SshHostKey(
            "ssh-ed25519",
            "-----BEGIN OPENSSH PRIVATE KEY-----\ntest-only-not-a-key\n-----END OPENSSH PRIVATE KEY-----\n",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAITestOnlyPublicKey");

    static final String HOST_CERTIFICATE =
            "ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tTestOnly";

    static final String USER_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIUserKeyForTests alice@laptop";

    private VmSpecs() {}

    private static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("kv-console");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return a spec with a unique name, image {@code debian-12}, no template settings */
    static WorkspaceSpec spec() {
        return spec("alice", "vm" + SEQ.incrementAndGet(), "debian-12", Map.of(), CloudInitConfig.EMPTY);
    }

    static WorkspaceSpec spec(Map<String, String> settings) {
        return spec("alice", "vm" + SEQ.incrementAndGet(), "debian-12", settings, CloudInitConfig.EMPTY);
    }

    static WorkspaceSpec spec(
            String owner, String name, String image, Map<String, String> settings, CloudInitConfig cloudInit) {
        return spec(UUID.randomUUID().toString(), owner, name, image, settings, cloudInit);
    }

    static WorkspaceSpec spec(
            String id,
            String owner,
            String name,
            String image,
            Map<String, String> settings,
            CloudInitConfig cloudInit) {
        return new WorkspaceSpec(
                id,
                name,
                owner,
                "kubevirt-debian-12",
                Resources.DEFAULTS,
                image,
                owner,
                List.of(USER_KEY),
                HOST_KEY,
                HOST_CERTIFICATE,
                cloudInit,
                settings);
    }

    static KubevirtSettings settings(Map<String, String> extra) {
        Map<String, String> all = new HashMap<>(Map.of("namespace", NS, "apply-mode", "merge"));
        all.putAll(extra);
        return KubevirtSettings.parse(all);
    }
}
