package dev.hangar.boards;

import java.util.List;
import java.util.Objects;

/**
 * One board's first-boot settings.
 *
 * @param hostname its host name, one RFC 1123 label ({@link Inputs#hostname})
 * @param user the login user created on first boot, with sudo and a locked password
 * @param authorizedKeys the OpenSSH public keys that may log in as {@code user}; at least one
 * @param network how it joins the network
 */
public record Board(String hostname, String user, List<String> authorizedKeys, BoardNetwork network) {
    public Board {
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(user, "user");
        authorizedKeys = List.copyOf(authorizedKeys);
        if (authorizedKeys.isEmpty()) throw new IllegalArgumentException("a board needs at least one SSH key");
        Objects.requireNonNull(network, "network");
    }
}
