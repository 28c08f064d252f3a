package dev.hangar.testing;

import dev.hangar.testfixtures.HostCommands;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * qcow2 overlays made with the real {@code qemu-img}, as the qemu provider makes a workspace's disk
 * (a qcow2 file whose backing file is a cached image): the one copy for tests that need a disk that
 * "uses" an image without booting a VM. Stateless; thread-safe.
 */
public final class QcowOverlays {
    private QcowOverlays() {}

    /**
     * Runs {@code qemu-img create -q -f qcow2 -F FORMAT -b BACKING OVERLAY}.
     *
     * @param backing the backing image file
     * @param backingFormat its format as qemu-img names it: {@code qcow2} or {@code raw}
     * @param overlay the overlay file to create (its directory must exist)
     * @return {@code overlay}
     * @throws AssertionError when qemu-img fails, with its output
     */
    public static Path create(Path backing, String backingFormat, Path overlay)
            throws IOException, InterruptedException {
        HostCommands.run(List.of(
                        "qemu-img",
                        "create",
                        "-q",
                        "-f",
                        "qcow2",
                        "-F",
                        backingFormat,
                        "-b",
                        backing.toString(),
                        overlay.toString()))
                .orThrow("qemu-img create " + overlay);
        return overlay;
    }
}
