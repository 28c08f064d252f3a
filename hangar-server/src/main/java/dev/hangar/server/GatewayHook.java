package dev.hangar.server;

/**
 * Starts the SSH gateway (or any other add-on that shows up in {@code GET /api/v1/info}) once the
 * server's store and services are up. Registered with {@link HangarServer.Builder#gateway}.
 *
 * <p>The server calls {@link #start} once, after the HTTP API is listening, and closes the
 * returned handle before its store when it shuts down. An exception from {@link #start} stops the
 * server from starting (everything opened so far is closed again).
 */
@FunctionalInterface
public interface GatewayHook {
    /** No gateway: {@code /api/v1/info} reports an empty host key and port 0. */
    GatewayHook NONE = context -> RunningGateway.NONE;

    /**
     * @param context the server's store and services
     * @return the running gateway; closed by the server
     */
    RunningGateway start(ServerContext context);

    /** A started gateway. Implementations are thread-safe. */
    interface RunningGateway extends AutoCloseable {
        /** Reports nothing and owns nothing. */
        RunningGateway NONE = () -> new GatewayInfo("", 0, "");

        /** @return where clients reach the gateway, for {@code GET /api/v1/info} */
        GatewayInfo info();

        /** Stops accepting connections and releases the gateway's resources. */
        @Override
        default void close() {}
    }

    /**
     * Where clients reach the gateway.
     *
     * @param host address clients should dial (e.g. {@code 127.0.0.1}); empty when disabled
     * @param port TCP port; 0 when disabled
     * @param hostKey the gateway's host key as {@code "<algorithm> <base64>"}; empty when disabled
     */
    record GatewayInfo(String host, int port, String hostKey) {
        public GatewayInfo {
            host = host == null ? "" : host;
            hostKey = hostKey == null ? "" : hostKey;
        }
    }
}
