package dev.hangar.core.domain;

/** An SSH public key was malformed, of a refused type, or too weak; the message says which and what to use. */
public class InvalidSshKeyException extends ValidationException {
    private static final long serialVersionUID = 1L;

    public InvalidSshKeyException(String message) {
        super("key", message);
    }
}
