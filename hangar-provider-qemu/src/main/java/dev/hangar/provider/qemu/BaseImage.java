package dev.hangar.provider.qemu;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A base image in the {@link ImageCache}, ready to back workspace overlays. Never modified after it
 * entered the cache.
 *
 * @param name the cache name, e.g. {@code debian-12}
 * @param disk the disk image file the overlays use as backing file
 * @param format the disk's format as {@code qemu-img info} reports it ({@code qcow2} or {@code raw})
 * @param virtualSize the disk size the guest sees, in bytes; a workspace disk may not be smaller
 * @param boot how QEMU boots it
 */
public record BaseImage(String name, Path disk, String format, long virtualSize, Boot boot) {
    public BaseImage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(disk, "disk");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(boot, "boot");
    }

    /** How the VM boots. */
    public sealed interface Boot {
        /** From the disk through the firmware's boot loader, as cloud images do. */
        record Firmware() implements Boot {}

        /**
         * QEMU's direct kernel boot ({@code -kernel/-initrd/-append}); the disk is the root
         * filesystem. Used by the debootstrap test image.
         *
         * @param cmdline the kernel command line, e.g. {@code root=/dev/vda rw console=ttyS0}
         */
        record Kernel(Path kernel, Path initrd, String cmdline) implements Boot {
            public Kernel {
                Objects.requireNonNull(kernel, "kernel");
                Objects.requireNonNull(initrd, "initrd");
                Objects.requireNonNull(cmdline, "cmdline");
            }
        }
    }
}
