package dev.hangar.gateway;

/**
 * Receives one record per gateway connection attempt. The server turns {@link ConnectionRecord}s
 * that name a workspace into workspace events (type {@code ssh-connection}).
 *
 * <p>{@link #opened} and {@link #connection} are called on one writer thread of the gateway's, in the
 * order the gateway handed the records over, so they may write to a database; when more than a few
 * thousand wait, the gateway thread that made a record calls them itself. {@link #loginRejected} is
 * called on MINA's I/O threads, which every session's traffic waits for: it must not block.
 * Implementations must be thread-safe. Exceptions thrown by an implementation are logged and
 * otherwise ignored.
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
