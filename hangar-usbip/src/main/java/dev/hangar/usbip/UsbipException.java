package dev.hangar.usbip;

/**
 * Base of every unchecked error raised by this package. Messages are written for the person at the
 * keyboard: they say what went wrong and what to do about it.
 */
public class UsbipException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong and how to fix it
     */
    public UsbipException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong and how to fix it
     * @param cause the underlying I/O or parse error
     */
    public UsbipException(String message, Throwable cause) {
        super(message, cause);
    }
}
