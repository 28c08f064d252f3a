package dev.hangar.core.store;

/** The database failed (I/O, lost connection, constraint other than a known conflict). */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
