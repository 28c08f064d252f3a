package dev.hangar.gateway;

/**
 * Receives one record per gateway connection attempt. The server turns {@link ConnectionRecord}s
 * that name a workspace into workspace events (type {@code ssh-connection}).
 *
 * <p>Called from gateway threads (MINA I/O threads and virtual threads), possibly concurrently:
 * implementations must be thread-safe and should not block for long. Exceptions thrown by an
 * implementation are logged and otherwise ignored.
 */
public interface GatewayAudit {

    /**
     * One channel: a relayed {@code direct-tcpip} connection when it closes, or a refused channel
     * or forwarding request (any type) when it is refused.
     */
    void connection(ConnectionRecord record);

    /**
     * A relayed {@code direct-tcpip} channel just opened (the workspace's sshd accepted the TCP
     * connection); {@link #connection} follows when it closes. The record's outcome is {@link
     * Outcome.Relayed}, its duration zero and its byte counts zero. Does nothing by default.
     */
    default void opened(ConnectionRecord record) {}

    /** One SSH connection that ended without successful authentication. */
    void loginRejected(LoginRejection rejection);
}
