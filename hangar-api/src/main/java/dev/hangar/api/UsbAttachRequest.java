package dev.hangar.api;

/**
 * Body of {@code POST /workspaces/{name}/usb/attachments}: asks whether a USB device of the
 * caller's PC may be forwarded into the workspace, and records the attach.
 *
 * @param busid the device's USB/IP bus id on the PC, e.g. {@code 1-3} ({@code BUS-PORT[.PORT...]})
 * @param vidPid vendor and product id, 4 hex digits each, e.g. {@code 0483:3748}
 * @param usbipd where the CLI reaches usbipd, {@code HOST:PORT}; absent means {@code 127.0.0.1:3240}
 */
public record UsbAttachRequest(String busid, String vidPid, String usbipd) {}
