package dev.hangar.provider.qemu;

import java.util.Locale;

/** How QEMU executes guest code; the value of the {@code accelerator} setting. */
public enum Accelerator {
    /** Use KVM when {@code /dev/kvm} can run ordinary guests, else fall back to TCG. */
    AUTO,
    /** Hardware virtualisation through {@code /dev/kvm} ({@code -accel kvm -cpu host}). */
    KVM,
    /** QEMU's portable binary translator ({@code -accel tcg}); works everywhere, 10-50x slower. */
    TCG;

    /** @return the lower-case name used in settings and on QEMU's command line */
    public String settingValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a setting value.
     *
     * @throws IllegalArgumentException if the value is not {@code auto}, {@code kvm} or {@code tcg}
     */
    public static Accelerator parse(String value) {
        for (Accelerator a : values()) {
            if (a.settingValue().equals(value.trim().toLowerCase(Locale.ROOT))) return a;
        }
        throw new IllegalArgumentException("accelerator must be auto, kvm or tcg, got '" + value + "'");
    }
}
