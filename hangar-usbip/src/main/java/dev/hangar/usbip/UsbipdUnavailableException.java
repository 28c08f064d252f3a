package dev.hangar.usbip;

/**
 * No {@code usbipd} could be reached: the connection was refused, timed out, or the host name did not
 * resolve. The message says how to start {@code usbipd}.
 */
public class UsbipdUnavailableException extends UsbipException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed and how to start usbipd
     * @param cause the socket error
     */
    public UsbipdUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
