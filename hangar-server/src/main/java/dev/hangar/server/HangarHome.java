package dev.hangar.server;

import dev.hangar.api.CliConfig;
import dev.hangar.api.HangarPaths;
import dev.hangar.core.service.HostCertificateAuthority;
import dev.hangar.core.service.Tokens;
import dev.hangar.core.service.UserService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files {@link HangarServer} keeps in {@code $HANGAR_HOME} ({@link ServerConfig#home()}) at
 * startup: the directory itself, the SSH host CA and the CLI's {@code cli.yaml}. The store, the
 * gateway and the providers keep their own files there.
 *
 * <p>Holds no mutable state: safe to share, though the server uses it from one thread while it
 * starts. It does not order the steps; {@link HangarServer.Builder#start()} does (the directory
 * first, {@code cli.yaml} only after the HTTP API and the gateway are bound).
 */
final class HangarHome {
    private static final Logger LOG = LoggerFactory.getLogger(HangarHome.class);

    private final Path dir;

    private HangarHome(Path dir) {
        this.dir = dir;
    }

    /**
     * Creates {@code dir} and its missing parents with mode 0700 ({@code rwx------}) if it is not a
     * directory yet; an existing directory is used as it is (its mode is left alone). Idempotent.
     *
     * @param dir the server's home, {@link ServerConfig#home()}
     * @return the home
     * @throws ConfigException if the directory cannot be created, naming it and the cause
     */
    static HangarHome create(Path dir) {
        Objects.requireNonNull(dir, "dir");
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new ConfigException("cannot create HANGAR_HOME " + dir + ": " + e.getMessage(), e);
        }
        return new HangarHome(dir);
    }

    /**
     * Loads the SSH host CA from {@code ssh/host_ca} (private key, mode 0600), making a new one on
     * first start (ADR 0010). Idempotent once the key exists.
     *
     * @return the host CA
     * @throws ConfigException if the key cannot be read, written or parsed
     */
    HostCertificateAuthority hostCa() {
        try {
            return HostCertificateAuthority.loadOrCreate(dir.resolve("ssh").resolve("host_ca"));
        } catch (UncheckedIOException | IllegalStateException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    /**
     * Points the CLI at this server. On first start (no users in the store) creates the admin user
     * {@code adminName} and writes its new API token with {@code baseUri} to {@code cli.yaml} (mode
     * 0600, {@link CliConfig#write}). Otherwise an existing {@code cli.yaml} whose URL differs gets
     * {@code baseUri} (its token is kept); a missing one stays missing, and an unreadable one is
     * left alone with a warning. The token is never logged.
     *
     * <p>Has lasting side effects (a user in the store, a file): call it only once the server is
     * sure to start.
     *
     * @param users the user use cases, on the server's store
     * @param adminName the admin's user name, {@link ServerConfig#adminName()}
     * @param baseUri the HTTP API's base URI, with the real port
     * @throws UncheckedIOException if {@code cli.yaml} cannot be written
     */
    void writeCliConfig(UserService users, String adminName, URI baseUri) {
        Path file = HangarPaths.cliConfig(dir);
        Optional<Tokens.Created> issued = users.bootstrapAdmin(adminName);
        if (issued.isPresent()) {
            new CliConfig(baseUri.toString(), issued.get().token()).write(file);
            LOG.info("first start: created admin user '{}'; its API token is in {} (mode 0600)", adminName, file);
            return;
        }
        Optional<CliConfig> existing;
        try {
            existing = CliConfig.read(file);
        } catch (UncheckedIOException e) {
            LOG.warn("not updating {}: {}", file, e.getMessage());
            return;
        }
        existing.filter(c -> !c.url().equals(baseUri.toString()))
                .ifPresent(c -> new CliConfig(baseUri.toString(), c.token()).write(file));
    }
}
