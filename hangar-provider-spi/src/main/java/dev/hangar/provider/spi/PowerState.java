package dev.hangar.provider.spi;

/** What the user wants a provisioned workspace to be doing. */
public enum PowerState {
    /** Compute is running and sshd should answer. */
    RUNNING,
    /** No compute is used; the persistent disk or volume is kept. */
    STOPPED
}
