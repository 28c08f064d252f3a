package dev.hangar.api;

/**
 * {@code GET /api/v1/info}: what a client needs to reach workspaces.
 *
 * @param version server version
 * @param gatewayHost the SSH gateway's address as clients should dial it
 * @param gatewayPort the SSH gateway's port
 * @param gatewayHostKey the gateway's host key, {@code "<algorithm> <base64>"}; empty when the
 *     gateway is disabled
 */
public record ServerInfo(String version, String gatewayHost, int gatewayPort, String gatewayHostKey) {}
