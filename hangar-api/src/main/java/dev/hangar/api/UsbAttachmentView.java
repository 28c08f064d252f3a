package dev.hangar.api;

import java.time.Instant;

/**
 * A USB device forwarded into a workspace.
 *
 * @param busid bus id on the PC, e.g. {@code 1-3}
 * @param vidPid vendor and product, lower-case hex, e.g. {@code 0483:3748}
 * @param usbipd the usbipd the CLI connects to, {@code HOST:PORT} as seen from the PC
 * @param actor who attached it
 * @param since when (ISO-8601)
 */
public record UsbAttachmentView(String busid, String vidPid, String usbipd, String actor, Instant since) {}
