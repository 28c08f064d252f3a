package dev.hangar.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Audit record of one gateway channel (see {@link GatewayAudit#connection}). Holds no secrets.
 *
 * @param user the authenticated Hangar user
 * @param source the client's address as {@code host:port}
 * @param target what the client asked for: {@code host:port} of a {@code direct-tcpip} channel
 *     (e.g. {@code dev.hangar:22}), or the refused channel type / request (e.g. {@code session})
 * @param workspaceId the workspace's id when the target named an existing workspace; {@code ""}
 *     otherwise (see {@link #workspace()})
 * @param outcome relayed, denied (with reason) or unreachable
 * @param startedAt when the channel was requested
 * @param duration from request to close (zero for refusals)
 * @param bytesToWorkspace bytes relayed from the client to the workspace's sshd
 * @param bytesFromWorkspace bytes relayed from the workspace's sshd to the client
 */
public record ConnectionRecord(
        String user,
        String source,
        String target,
        String workspaceId,
        Outcome outcome,
        Instant startedAt,
        Duration duration,
        long bytesToWorkspace,
        long bytesFromWorkspace) {

    public ConnectionRecord {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(workspaceId, "workspaceId");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(duration, "duration");
    }

    /** @return the workspace id, empty when the target named no existing workspace */
    public Optional<String> workspace() {
        return workspaceId.isEmpty() ? Optional.empty() : Optional.of(workspaceId);
    }

    /**
     * @return one human-readable line for a workspace event or a log, e.g. {@code alice from
     *     127.0.0.1:50000 to dev.hangar:22: relayed 4211 bytes up, 5120 bytes down in PT1.2S}
     */
    public String summary() {
        String head = user + " from " + source + " to " + target + ": ";
        return head
                + switch (outcome) {
                    case Outcome.Relayed r ->
                        "relayed " + bytesToWorkspace + " bytes up, " + bytesFromWorkspace + " bytes down in "
                                + duration;
                    case Outcome.Denied d -> "denied (" + d.reason() + "): " + d.message();
                    case Outcome.Unreachable u -> "workspace sshd unreachable: " + u.error();
                };
    }
}
