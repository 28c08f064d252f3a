package dev.hangar.core.oidc;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The claims of an ID token that the caller has verified (signature against the provider's keys,
 * issuer, audience, expiry, nonce). Core trusts these values; it never sees the token itself.
 *
 * @param issuer {@code iss}
 * @param subject {@code sub}
 * @param claims every claim of the token by name, as parsed from its JSON (strings, numbers,
 *     booleans, lists, maps)
 */
public record VerifiedClaims(String issuer, String subject, Map<String, Object> claims) {
    public VerifiedClaims {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(subject, "subject");
        claims = Map.copyOf(claims);
    }

    /** @return the claim as a string when it is one (not blank) */
    public Optional<String> string(String name) {
        return claims.get(name) instanceof String s && !s.isBlank() ? Optional.of(s) : Optional.empty();
    }

    /**
     * @return the claim as a list of strings: a JSON array's string elements, or a single string
     *     (some providers send one group as a plain string); empty when absent
     */
    public List<String> strings(String name) {
        return switch (claims.get(name)) {
            case null -> List.of();
            case String s -> List.of(s);
            case List<?> l ->
                l.stream()
                        .filter(String.class::isInstance)
                        .map(String.class::cast)
                        .toList();
            default -> List.of();
        };
    }
}
