package dev.hangar.provider.qemu;

import dev.hangar.nocloud.NoCloudFiles;
import dev.hangar.nocloud.NoCloudSeed;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.vm.CloudInitNetworkConfig;
import dev.hangar.provider.vm.CloudInitUserData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * A workspace's disks: the qcow2 overlay on its base image (created once, grown to the spec's size,
 * never shrunk) and the NoCloud seed (rewritten on every start).
 *
 * <p>Thread-safe (stateless); calls for one workspace must not overlap.
 */
final class WorkspaceDisks {
    /** Between the workspace id and the reset count in the instance-id of a reset disk. */
    private static final String RESET_SUFFIX = ".reset-";

    /** The content of {@link WorkspaceDir#rtcClockUnitMarker()}: says what the file means to a reader. */
    private static final String RTC_CLOCK_UNIT_MARKER =
            "this disk's cloud-init instance installs the hangar-rtc-clock unit and linger at its first boot";

    private final QemuImg qemuImg;
    private final Clock clock;

    WorkspaceDisks(QemuImg qemuImg, Clock clock) {
        this.qemuImg = qemuImg;
        this.clock = clock;
    }

    /**
     * Creates the overlay on {@code image} if missing, else grows it to the spec's disk size.
     * Reports the {@code disk} timing and {@code disk-created}.
     *
     * @throws ProviderException (permanent) when the spec's disk is smaller than the image; nothing
     *     is created then
     * @throws IOException when qemu-img fails
     */
    void ensure(WorkspaceSpec spec, WorkspaceDir d, BaseImage image, ProviderListener listener) throws IOException {
        Instant t0 = clock.instant();
        long wanted = spec.resources().diskBytes();
        if (Files.exists(d.overlay())) {
            grow(spec, d, listener);
        } else {
            if (wanted < image.virtualSize()) {
                throw new ProviderException(
                        "disk of " + spec.resources().diskGiB() + " GiB is smaller than image " + image.name()
                                + " (" + gib(image.virtualSize()) + " GiB); give the template a disk of at least "
                                + (image.virtualSize() + (1L << 30) - 1 >> 30) + " GiB",
                        true);
            }
            // Before the overlay: a disk that does not exist yet has its first boot ahead, with the
            // unit in its seed; a crash after this line leaves no overlay, so the next try is a create again.
            d.write(d.rtcClockUnitMarker(), RTC_CLOCK_UNIT_MARKER);
            Path tmp = d.path().resolve("overlay.qcow2.tmp");
            Files.deleteIfExists(tmp);
            try {
                qemuImg.createOverlay(tmp, image.disk(), image.format(), wanted);
                Files.move(tmp, d.overlay(), StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            listener.event("disk-created", spec.resources().diskGiB() + " GiB qcow2 overlay on image " + image.name());
        }
        listener.phaseTiming("disk", Duration.between(t0, clock.instant()));
    }

    /**
     * Grows an existing overlay to the spec's disk size; a disk is never shrunk (an event says so).
     *
     * @throws IOException when qemu-img fails
     */
    void grow(WorkspaceSpec spec, WorkspaceDir d, ProviderListener listener) throws IOException {
        long wanted = spec.resources().diskBytes();
        long current = qemuImg.info(d.overlay()).virtualSize();
        if (current < wanted) {
            qemuImg.grow(d.overlay(), wanted);
            listener.event(
                    "disk-grown",
                    "disk grown from " + gib(current) + " to "
                            + spec.resources().diskGiB() + " GiB");
        } else if (current > wanted) {
            listener.event(
                    "disk-not-shrunk",
                    "disk stays " + gib(current) + " GiB; shrinking to "
                            + spec.resources().diskGiB() + " GiB could destroy data");
        }
    }

    /**
     * Replaces the overlay with a fresh one on {@code image} (same size as the old one, at least the
     * spec's), crash-safely: the new overlay is created beside the old one and renamed over it, so a
     * crash leaves the old disk or the new one, never none. Then records a new cloud-init
     * instance-id ({@link WorkspaceDir#instanceIdFile()}), so the next boot is a first boot; written
     * after the rename, because a fresh disk boots as a first boot under any instance-id. The VM
     * must not run. Reports {@code disk-reset} and the {@code disk} timing.
     *
     * @throws IOException when qemu-img fails or a file cannot be written; the old disk is then
     *     still in place
     */
    void replace(WorkspaceSpec spec, WorkspaceDir d, BaseImage image, ProviderListener listener) throws IOException {
        Instant t0 = clock.instant();
        long size = Math.max(
                spec.resources().diskBytes(),
                Math.max(image.virtualSize(), qemuImg.info(d.overlay()).virtualSize()));
        Path tmp = d.path().resolve("overlay.qcow2.reset");
        Files.deleteIfExists(tmp);
        try {
            qemuImg.createOverlay(tmp, image.disk(), image.format(), size);
            Files.move(tmp, d.overlay(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        String prefix = spec.id() + RESET_SUFFIX;
        long generation = d.read(d.instanceIdFile())
                        .filter(id -> id.startsWith(prefix))
                        .map(id -> id.substring(prefix.length()))
                        .filter(n -> n.matches("\\d{1,9}"))
                        .map(Long::parseLong)
                        .orElse(0L)
                + 1;
        d.write(d.instanceIdFile(), spec.id() + RESET_SUFFIX + generation);
        // After the new instance-id: a crash before it leaves the old disk, which may predate the unit.
        d.write(d.rtcClockUnitMarker(), RTC_CLOCK_UNIT_MARKER);
        listener.event(
                "disk-reset",
                "fresh " + gib(size) + " GiB qcow2 overlay on image " + image.name()
                        + "; the next boot is a first boot (cloud-init instance " + instanceId(spec, d) + ")");
        listener.phaseTiming("disk", Duration.between(t0, clock.instant()));
    }

    /** @return the cloud-init instance-id of the current disk: the workspace id until the first reset */
    static String instanceId(WorkspaceSpec spec, WorkspaceDir d) {
        return d.read(d.instanceIdFile()).orElse(spec.id());
    }

    /**
     * How the seed of the disk in {@code d} keeps the guest's clock after a resume: {@link
     * CloudInitUserData.Resume#UNIT} for a disk created (or reset) by this Hangar, {@link
     * CloudInitUserData.Resume#LEGACY_BOOTCMD} for one whose first boot predates the unit (no
     * {@link WorkspaceDir#rtcClockUnitMarker()}): cloud-init runs {@code write_files} and {@code
     * runcmd} once per instance, so such a guest would never get the unit, and without the old
     * bootcmd its clock would stay behind after every resume.
     */
    static CloudInitUserData.Resume resume(WorkspaceDir d) {
        return Files.exists(d.rtcClockUnitMarker())
                ? CloudInitUserData.Resume.UNIT
                : CloudInitUserData.Resume.LEGACY_BOOTCMD;
    }

    /**
     * Writes the NoCloud seed: user-data, meta-data and, for a lab member, network-config (its lab
     * NIC's static address). Rewritten on every start so key or template changes reach the guest;
     * the instance-id stays the same until a reset ({@link #instanceId}), so cloud-init's
     * once-per-instance modules do not run again. The fw_cfg secrets' boot commands are in it only
     * when this start delivers secrets ({@link GuestSecrets}): a guest without them runs no extra
     * command at boot (issue #18 item 2: the seed holds only what the workspace needs); the seed is
     * rewritten at every start, so a secret added later reaches the guest at the next start.
     *
     * @throws IOException when the ISO cannot be written
     */
    void writeSeed(WorkspaceSpec spec, WorkspaceDir d, ProviderListener listener) throws IOException {
        Instant t0 = clock.instant();
        NoCloudSeed.write(
                d.seed(),
                new NoCloudFiles(
                        CloudInitUserData.render(spec, !spec.secrets().isEmpty(), resume(d)),
                        CloudInitUserData.metaData(spec, instanceId(spec, d)),
                        CloudInitNetworkConfig.render(spec, QemuCommandLine.UPLINK_MAC)
                                .orElse("")));
        listener.phaseTiming("seed", Duration.between(t0, clock.instant()));
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / (double) (1L << 30));
    }
}
