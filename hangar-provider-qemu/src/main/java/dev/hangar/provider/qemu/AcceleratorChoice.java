package dev.hangar.provider.qemu;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The accelerator a VM will use and why it was chosen.
 *
 * @param accelerator {@link Accelerator#KVM} or {@link Accelerator#TCG}, never {@code AUTO}
 * @param reason one line for the {@code accelerator} event, e.g. "tcg: /dev/kvm is missing"
 */
public record AcceleratorChoice(Accelerator accelerator, String reason) {
    public AcceleratorChoice {
        Objects.requireNonNull(accelerator, "accelerator");
        Objects.requireNonNull(reason, "reason");
        if (accelerator == Accelerator.AUTO) throw new IllegalArgumentException("a choice is kvm or tcg");
    }

    /**
     * Resolves a configured accelerator on this host. {@code kvm} and {@code tcg} are taken as
     * configured; {@code auto} picks KVM only when {@code /dev/kvm} is readable and writable and the
     * loaded KVM module is not PVM-only ({@code kvm_pvm} without {@code kvm_intel}/{@code kvm_amd}
     * runs only kernels built as PVM guests, so ordinary cloud images would fail).
     *
     * @param configured the setting
     * @param devKvm normally {@code /dev/kvm}
     * @param sysModule normally {@code /sys/module}
     */
    public static AcceleratorChoice resolve(Accelerator configured, Path devKvm, Path sysModule) {
        return switch (configured) {
            case KVM -> new AcceleratorChoice(Accelerator.KVM, "kvm: configured");
            case TCG -> new AcceleratorChoice(Accelerator.TCG, "tcg: configured");
            case AUTO -> probe(devKvm, sysModule);
        };
    }

    private static AcceleratorChoice probe(Path devKvm, Path sysModule) {
        if (!Files.exists(devKvm)) {
            return new AcceleratorChoice(Accelerator.TCG, "tcg: " + devKvm + " is missing (no KVM on this host)");
        }
        if (!Files.isReadable(devKvm) || !Files.isWritable(devKvm)) {
            return new AcceleratorChoice(
                    Accelerator.TCG,
                    "tcg: " + devKvm + " is not readable and writable by this user (add it to group kvm)");
        }
        boolean pvmOnly = Files.isDirectory(sysModule.resolve("kvm_pvm"))
                && !Files.isDirectory(sysModule.resolve("kvm_intel"))
                && !Files.isDirectory(sysModule.resolve("kvm_amd"));
        if (pvmOnly) {
            return new AcceleratorChoice(
                    Accelerator.TCG, "tcg: " + devKvm + " is kvm_pvm, which only runs PVM guest kernels");
        }
        return new AcceleratorChoice(Accelerator.KVM, "kvm: " + devKvm + " is usable");
    }
}
