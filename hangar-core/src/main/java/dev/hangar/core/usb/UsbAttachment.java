package dev.hangar.core.usb;

import java.time.Instant;
import java.util.Objects;

/**
 * A USB device forwarded from a user's PC into a workspace, as recorded by its {@code usb-attach}
 * event.
 *
 * @param busId the device's bus id on the PC, e.g. {@code 1-3}
 * @param vidPid vendor and product, {@code vvvv:pppp}
 * @param usbipd the usbipd the CLI connects to, {@code host:port} as seen from the PC
 * @param actor who attached it
 * @param since when
 */
public record UsbAttachment(String busId, String vidPid, String usbipd, String actor, Instant since) {
    public UsbAttachment {
        Objects.requireNonNull(busId, "busId");
        Objects.requireNonNull(vidPid, "vidPid");
        Objects.requireNonNull(usbipd, "usbipd");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(since, "since");
    }
}
