package dev.hangar.core.oidc;

/**
 * The provider vouched for the person, but Hangar will not sign them in: their user is disabled,
 * the username claim is missing or not a DNS-1123 label, or the name belongs to another user. The
 * message says which and what to do; it never contains a token. The HTTP layer answers 403.
 */
public class SignInRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SignInRefusedException(String message) {
        super(message);
    }
}
