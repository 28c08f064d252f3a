package dev.hangar.api.client;

import dev.hangar.api.SecretView;
import java.util.List;

/**
 * The caller's secrets ({@code /api/v1/secrets}, issue #15 item 7): mounted read-only at {@code
 * /var/secrets/<name>} in each of the caller's workspaces on its next start. Values go up only;
 * no call returns one. Same errors as {@link HangarClient}. Thread-safe; shares its {@link
 * HangarClient}'s transport and lives as long as that client.
 */
public final class SecretClient {
    private static final String BASE = "/api/v1/secrets";

    private final ApiTransport transport;

    SecretClient(ApiTransport transport) {
        this.transport = transport;
    }

    /** {@code GET /secrets}: the caller's secrets by name, with sizes and update times; never values. */
    public List<SecretView> list() {
        return transport.sendForList("GET", BASE, null, SecretView.class);
    }

    /**
     * {@code PUT /secrets/{name}} with the raw value as {@code application/octet-stream}: sets
     * (creates or replaces) one of the caller's secrets. Idempotent.
     *
     * @return the secret as stored (never the value)
     * @throws ApiException 422 naming {@code name} or {@code value} (empty), 413 for a value over 64
     *     KiB, 409 {@code secret-limit} past the per-user count, 403 for auditors
     */
    public SecretView set(String name, byte[] value) {
        return transport.sendBytes("PUT", BASE + "/" + ApiPaths.segment(name), value, SecretView.class);
    }

    /**
     * {@code DELETE /secrets/{name}} (204): deletes one of the caller's secrets.
     *
     * @throws ApiException 404 when the caller has no secret of that name
     */
    public void delete(String name) {
        transport.sendIgnoringBody("DELETE", BASE + "/" + ApiPaths.segment(name));
    }
}
