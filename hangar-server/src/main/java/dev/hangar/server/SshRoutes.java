package dev.hangar.server;

import dev.hangar.api.SshHostCa;
import dev.hangar.core.service.HostCertificateAuthority;
import io.javalin.config.RoutesConfig;
import java.util.Objects;

/**
 * {@code GET /api/v1/ssh/host-ca}: the public key of the SSH host CA that signs every workspace's
 * host key (any authenticated user; the key is public). Stateless and thread-safe.
 */
final class SshRoutes {
    static final String HOST_CA_PATH = "/api/v1/ssh/host-ca";

    private final HostCertificateAuthority hostCa;

    SshRoutes(HostCertificateAuthority hostCa) {
        this.hostCa = Objects.requireNonNull(hostCa, "hostCa");
    }

    void register(RoutesConfig r) {
        r.get(HOST_CA_PATH, ctx -> ctx.json(new SshHostCa(hostCa.publicKey())));
    }
}
