package dev.hangar.core.autostop;

/** What counts as use of a workspace for idle auto-stop. */
public enum ActivitySource {
    /** Bytes relayed through the SSH gateway, any channel, either direction. */
    SSH,
    /** A client attached to the serial console. */
    CONSOLE,
    /** A USB device attached through {@code hangar usb attach}. */
    USB,
    /** Something still held open (console or USB), seen by the auto-stop sweep. */
    HELD_OPEN,
    /** An explicit lease ({@code hangar keepalive}). */
    LEASE,
    /** A start or restart request. */
    START
}
