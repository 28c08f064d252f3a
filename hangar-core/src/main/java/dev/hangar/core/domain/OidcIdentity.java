package dev.hangar.core.domain;

import java.time.Instant;
import java.util.Objects;

/**
 * The link between an OpenID Connect identity and a Hangar user: the provider's issuer and its
 * subject ({@code sub}) identify a person for good (OpenID Connect Core 1.0, section 5.7); names,
 * e-mail addresses and the username claim do not, so sign-in finds users through this link only.
 *
 * @param issuer the provider's issuer identifier ({@code iss}), exactly as in the ID token
 * @param subject the provider's subject ({@code sub}), exactly as in the ID token
 * @param userName the Hangar user this identity signs in as
 * @param linkedAt when the link was made (the user's first sign-in)
 */
public record OidcIdentity(String issuer, String subject, String userName, Instant linkedAt) {
    public OidcIdentity {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(userName, "userName");
        Objects.requireNonNull(linkedAt, "linkedAt");
    }
}
