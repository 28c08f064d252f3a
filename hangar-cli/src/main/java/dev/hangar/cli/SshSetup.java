package dev.hangar.cli;

import dev.hangar.api.ServerInfo;
import dev.hangar.api.SshKeyView;
import dev.hangar.api.UserView;
import dev.hangar.api.WorkspaceView;
import dev.hangar.api.client.ApiException;
import dev.hangar.api.client.HangarClient;
import dev.hangar.api.client.WorkspaceFilter;
import dev.hangar.cli.sshconfig.GatewayHost;
import dev.hangar.cli.sshconfig.SshConfigInput;
import dev.hangar.cli.sshconfig.SshConfigPlan;
import dev.hangar.cli.sshconfig.SshConfigWriter;
import dev.hangar.cli.sshconfig.WorkspaceHostKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Gathers what {@code hangar config-ssh} writes from the server's API ({@code GET /api/v1/info},
 * {@code /users/me}, {@code /users/me/keys}, {@code /workspaces?owner=me}, {@code /ssh/host-ca}) and plans or applies it
 * with {@link SshConfigWriter}. Shared by {@code config-ssh} and {@code ssh}.
 */
final class SshSetup {
    /** Private keys tried, in order, under ~/.ssh (ssh-keygen's default names). */
    static final List<String> DEFAULT_IDENTITIES = List.of("id_ed25519", "id_ecdsa", "id_rsa");

    private SshSetup() {}

    /**
     * @param identity the private key to use, or {@code null} to pick the first default key whose
     *     public half ({@code <key>.pub}) is registered with the server
     * @return the plan for the user's current workspaces (nothing written yet)
     * @throws CliException NOT_FOUND when the server runs no SSH gateway, BAD_INPUT when no usable
     *     identity is found, ERROR when a file cannot be read
     */
    static Planned plan(CliContext ctx, HangarClient client, Path identity) {
        ServerInfo info = client.info();
        if (info.gatewayHostKey().isBlank() || info.gatewayPort() == 0) {
            throw new CliException(
                    ExitCodes.NOT_FOUND,
                    "the server at " + client.settings().baseUrl()
                            + " runs no SSH gateway; enable it in the server config (gateway section)");
        }
        UserView me = client.me();
        Path key = identity == null ? pickIdentity(ctx, client.keys()) : checkIdentity(identity);
        List<WorkspaceHostKey> hosts = new ArrayList<>();
        for (WorkspaceView w : client.listWorkspaces(WorkspaceFilter.NONE.withOwner(me.name()))) {
            // A workspace whose host key is not generated yet cannot be pinned; config-ssh adds it next run.
            if (!w.hostKey().isBlank()) hosts.add(new WorkspaceHostKey(w.name(), w.hostKey(), w.forwardPorts()));
        }
        SshConfigInput input;
        try {
            input = new SshConfigInput(
                    new GatewayHost(info.gatewayHost(), info.gatewayPort(), info.gatewayHostKey()),
                    me.name(),
                    key,
                    hosts,
                    hostCa(client));
        } catch (IllegalArgumentException e) {
            throw new CliException(
                    ExitCodes.ERROR, "the server's answer cannot be written to an ssh config: " + e.getMessage());
        }
        SshConfigWriter writer = new SshConfigWriter(ctx.userHome());
        try {
            return new Planned(writer, input, writer.plan(input));
        } catch (UncheckedIOException e) {
            throw new CliException(ExitCodes.ERROR, e.getMessage());
        }
    }

    /**
     * @return the server's SSH host CA key, or none from a server older than host certificates (its
     *     workspaces are then trusted by their pinned keys only)
     */
    private static List<String> hostCa(HangarClient client) {
        try {
            return List.of(client.sshHostCa().publicKey());
        } catch (ApiException e) {
            if (e.status() == 404) return List.of();
            throw e;
        }
    }

    /** Writes what {@code planned} holds (idempotent). */
    static void apply(Planned planned) {
        try {
            planned.writer().apply(planned.input());
        } catch (UncheckedIOException e) {
            throw new CliException(ExitCodes.ERROR, e.getMessage());
        }
    }

    /**
     * A plan with what produced it.
     *
     * @param writer the writer for the user's home
     * @param input the values gathered from the API
     * @param plan what would change
     */
    record Planned(SshConfigWriter writer, SshConfigInput input, SshConfigPlan plan) {}

    private static Path checkIdentity(Path identity) {
        Path p = identity.toAbsolutePath().normalize();
        if (!Files.isRegularFile(p))
            throw new CliException(ExitCodes.BAD_INPUT, "identity file " + p + " does not exist");
        if (p.toString().endsWith(".pub"))
            throw new CliException(
                    ExitCodes.BAD_INPUT, "--identity wants the PRIVATE key (ssh's IdentityFile); drop the .pub");
        return p;
    }

    /**
     * Picks the first of ~/.ssh/id_ed25519, id_ecdsa, id_rsa, $HANGAR_HOME/ssh/id_ed25519 that exists
     * and whose {@code .pub} has a registered fingerprint.
     */
    static Path pickIdentity(CliContext ctx, List<SshKeyView> registered) {
        Set<String> fingerprints =
                registered.stream().map(SshKeyView::fingerprint).collect(Collectors.toSet());
        List<Path> candidates = new ArrayList<>();
        for (String n : DEFAULT_IDENTITIES)
            candidates.add(ctx.userHome().resolve(".ssh").resolve(n));
        candidates.add(ctx.hangarHome().resolve("ssh").resolve("id_ed25519"));
        for (Path c : candidates) {
            Path pub = Path.of(c + ".pub");
            if (!Files.isRegularFile(c) || !Files.isRegularFile(pub)) continue;
            Optional<String> fp = fingerprint(pub);
            if (fp.isPresent() && fingerprints.contains(fp.get()))
                return c.toAbsolutePath().normalize();
        }
        String looked = candidates.stream().map(Path::toString).collect(Collectors.joining(", "));
        throw new CliException(
                ExitCodes.BAD_INPUT,
                registered.isEmpty()
                        ? "you have no SSH key registered; run 'hangar key add' (looked for private keys " + looked
                                + ")"
                        : "none of " + looked
                                + " has its public half registered; run 'hangar key add FILE.pub' or pass --identity FILE");
    }

    /**
     * @return the OpenSSH SHA-256 fingerprint ({@code SHA256:<base64 without padding>} of the key
     *     blob, as {@code ssh-keygen -l} prints) of the first key line in {@code pub}; empty when the
     *     file holds no parseable key
     */
    static Optional<String> fingerprint(Path pub) {
        String text;
        try {
            text = Files.readString(pub, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        String[] parts = text.strip().split("\\s+");
        if (parts.length < 2) return Optional.empty();
        try {
            byte[] blob = Base64.getDecoder().decode(parts[1]);
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(blob);
            return Optional.of("SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(sha));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
