package dev.hangar.gateway;

/**
 * Told that bytes moved through the gateway to or from a workspace (idle auto-stop counts them as
 * use). Each relayed channel reports at most once per {@link #REPORT_INTERVAL} of the gateway's
 * clock (and at its first bytes), with the bytes moved since its last report, so a busy session is
 * not a call per packet.
 *
 * <p>Called from relay threads, possibly concurrently: implementations must be thread-safe and
 * must not block. Exceptions are logged and otherwise ignored.
 */
@FunctionalInterface
public interface GatewayActivity {
    /** How often one channel reports at most. */
    java.time.Duration REPORT_INTERVAL = java.time.Duration.ofSeconds(10);

    /** Ignores activity. */
    GatewayActivity NONE = (workspaceId, bytes) -> {};

    /**
     * @param workspaceId the workspace's id
     * @param bytes bytes relayed in both directions since the channel's last report, at least 1
     */
    void bytes(String workspaceId, long bytes);
}
