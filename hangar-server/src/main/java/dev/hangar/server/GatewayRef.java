package dev.hangar.server;

/**
 * Lets {@code /api/v1/info} and {@code /readyz} see the gateway and the end of startup, which come
 * after the HTTP API in {@link HangarServer}'s start. Thread-safe (volatile fields).
 */
final class GatewayRef {
    private volatile GatewayHook.RunningGateway gateway = GatewayHook.RunningGateway.NONE;
    private volatile boolean started;

    void markStarted() {
        started = true;
    }

    boolean started() {
        return started;
    }

    void set(GatewayHook.RunningGateway g) {
        gateway = g;
    }

    GatewayHook.GatewayInfo info() {
        return gateway.info();
    }
}
