package dev.hangar.gateway;

/** Why the gateway refused a channel or request. */
public enum Denial {
    /** The target host is not of the form {@code <workspace>[.<owner>][.hangar]}. */
    INVALID_TARGET,
    /** The named owner has no workspace of that name. */
    UNKNOWN_WORKSPACE,
    /** The workspace belongs to someone else and the user is not an admin. */
    NOT_OWNER,
    /** The workspace exists and may be reached by the user, but is not running. */
    NOT_RUNNING,
    /** A workspace port other than 22 was requested. */
    WRONG_PORT,
    /** A channel type other than {@code direct-tcpip} (session: shell, exec, subsystem). */
    CHANNEL_TYPE_REFUSED,
    /** A global request to listen on the gateway ({@code tcpip-forward}, remote forwarding). */
    FORWARDING_REFUSED,
    /** A USB/IP forward ({@code <ws>.usbip:3240}) to a workspace whose guest has no USB/IP guest forward. */
    USBIP_UNAVAILABLE,
    /** A USB/IP forward to a workspace that already has one (one attach session per workspace). */
    USBIP_IN_USE
}
