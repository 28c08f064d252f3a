package dev.hangar.usbip;

/**
 * A USB/IP message did not follow {@code Documentation/usb/usbip_protocol.rst}: it ended early, had
 * an unsupported version, an unexpected code, a failure status, an absurd count or a malformed
 * string field. The message names the message type, the field and its byte offset.
 */
public class UsbipProtocolException extends UsbipException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was wrong, including message type, field and offset
     */
    public UsbipProtocolException(String message) {
        super(message);
    }

    /**
     * @param message what was wrong, with context added by the caller
     * @param cause the original decoding error
     */
    public UsbipProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
