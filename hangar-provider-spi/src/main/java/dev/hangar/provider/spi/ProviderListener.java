package dev.hangar.provider.spi;

import java.time.Duration;

/**
 * Receives what a provider wants recorded on the workspace while it works: events such as "using
 * TCG, /dev/kvm not usable" and phase timings such as image, disk, seed, boot and ssh-ready.
 *
 * <p>Implementations must be thread-safe and must not block for long. Messages must not contain
 * secrets.
 */
public interface ProviderListener {
    /** A listener that drops everything. */
    ProviderListener NONE = new ProviderListener() {
        @Override
        public void event(String type, String message) {}

        @Override
        public void phaseTiming(String phase, Duration duration) {}
    };

    /**
     * Records an event on the workspace.
     *
     * @param type a short lower-kebab type, e.g. {@code accelerator} or {@code image-pulled}
     * @param message one human-readable line
     */
    void event(String type, String message);

    /**
     * Records how long a provisioning phase took.
     *
     * @param phase a lower-kebab phase name: {@code image}, {@code disk}, {@code seed}, {@code boot},
     *     {@code ssh-ready}
     * @param duration wall time of the phase
     */
    void phaseTiming(String phase, Duration duration);

    /**
     * Says that what {@link WorkspaceProvider#observe} reports for the workspace has just changed
     * without a call in progress, e.g. a background watcher saw sshd answer or the VM exit, so the
     * caller should observe it again now instead of at its next poll. A hint only: nothing is lost
     * when it is ignored (the default), and a provider may call it more often than needed. Must not
     * block; safe to call from any thread.
     */
    default void changed() {}
}
