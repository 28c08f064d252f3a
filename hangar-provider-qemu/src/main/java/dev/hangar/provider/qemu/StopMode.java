package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.util.Locale;

/**
 * What {@code apply(STOPPED)} does with a running VM: the template setting {@value #SETTING} ({@code
 * suspend | shutdown}, default {@code shutdown}) in {@link WorkspaceSpec#settings()}.
 */
enum StopMode {
    /** ACPI power button, then QMP quit after the shutdown timeout ({@link VmStopper}). */
    SHUTDOWN,
    /** Memory and device state saved beside the overlay, QEMU exits; the next start resumes ({@link VmSuspender}). */
    SUSPEND;

    /** The template setting's key. */
    static final String SETTING = "stop";

    /**
     * @return the stop mode of the workspace's next stop: {@link #SUSPEND} when {@code hangar stop
     *     --suspend} asked for it ({@link WorkspaceDir#stopModeFile()}), else the template's
     * @throws ProviderException (permanent) when the value is neither {@code suspend} nor {@code shutdown}
     */
    static StopMode of(WorkspaceSpec spec, WorkspaceDir d) {
        StopMode template = of(spec);
        return d.read(d.stopModeFile())
                .filter(SUSPEND.name()::equals)
                .map(m -> SUSPEND)
                .orElse(template);
    }

    /**
     * @return the template's stop mode; {@link #SHUTDOWN} when the setting is absent
     * @throws ProviderException (permanent) when the value is neither {@code suspend} nor {@code shutdown}
     */
    static StopMode of(WorkspaceSpec spec) {
        String value = spec.settings().get(SETTING);
        if (value == null) return SHUTDOWN;
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "suspend" -> SUSPEND;
            case "shutdown" -> SHUTDOWN;
            default ->
                throw new ProviderException(
                        "template setting " + SETTING + ": '" + value + "' is neither 'suspend' nor 'shutdown'", true);
        };
    }
}
