package dev.hangar.gateway;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Audit record of an SSH connection to the gateway that closed without authenticating (see {@link
 * GatewayAudit#loginRejected}). Holds fingerprints only, never key material.
 *
 * @param user the user name the client asked for in its first public-key attempt; {@code ""} when
 *     it made none (e.g. it only offered a password, which the gateway does not accept)
 * @param source the client's address as {@code host:port}
 * @param offeredKeys SHA256 fingerprints of the public keys the client offered, in order, without
 *     duplicates
 * @param at when the connection closed
 */
public record LoginRejection(String user, String source, List<String> offeredKeys, Instant at) {
    public LoginRejection {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(at, "at");
        offeredKeys = List.copyOf(offeredKeys);
    }
}
