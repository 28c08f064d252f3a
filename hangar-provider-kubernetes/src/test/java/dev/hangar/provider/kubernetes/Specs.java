package dev.hangar.provider.kubernetes;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.SshHostKey;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** Workspace specs with unique names, so tests can share a mock server or run in parallel. */
final class Specs {
    private static final AtomicInteger SEQ = new AtomicInteger();

    /** Placeholder key material: the provider copies it into a Secret and never parses it. */
    static final SshHostKey HOST_KEY = new SshHostKey(
            "ssh-ed25519",
            "-----BEGIN OPENSSH PRIVATE KEY-----\ntest-only-not-a-key\n-----END OPENSSH PRIVATE KEY-----\n",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAITestOnlyPublicKey");

    /** Stands for the core's certificate of {@link #HOST_KEY}; the provider only copies it. */
    static final String HOST_CERTIFICATE =
            "ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tTestOnly";

    static final String USER_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIUserKeyForTests alice@laptop";

    private Specs() {}

    static WorkspaceSpec spec(Map<String, String> settings) {
        return spec("alice", "ws" + SEQ.incrementAndGet(), settings);
    }

    static WorkspaceSpec spec(String owner, String name, Map<String, String> settings) {
        return new WorkspaceSpec(
                UUID.randomUUID().toString(),
                name,
                owner,
                "debian-pod",
                new Resources(2, 4096, 16),
                "registry.example/hangar/workspace:1",
                owner,
                List.of(USER_KEY),
                HOST_KEY,
                HOST_CERTIFICATE,
                CloudInitConfig.EMPTY,
                settings);
    }

    static KubernetesSettings settings(Map<String, String> extra) {
        Map<String, String> all = new java.util.HashMap<>(Map.of("namespace", "hangar-test", "apply-mode", "merge"));
        all.putAll(extra);
        return KubernetesSettings.parse(all);
    }
}
