package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.LabNetwork;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.ssh.TestKeys;
import dev.hangar.provider.vm.CloudInitUserData;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provider paths that need no booted VM, with the real qemu-img: bad input is refused before
 * anything is created, and STOPPED creates disk and seed without starting QEMU.
 */
class QemuProviderTest {
    @TempDir
    Path tmp;

    private QemuProvider provider;
    private WorkspaceSpec base;

    @BeforeEach
    void setUp() throws Exception {
        provider = (QemuProvider) new QemuProviderFactory()
                .create(new ProviderContext(tmp.resolve("data"), Map.of("accelerator", "tcg"), Clock.systemUTC()));
        Path image = tmp.resolve("two-gib.qcow2");
        Command.Result r = Command.run(
                List.of("qemu-img", "create", "-q", "-f", "qcow2", image.toString(), "2G"), Duration.ofSeconds(30));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        provider.imageCache().importImage(image, "two-gib");
        Path keys = Files.createDirectory(tmp.resolve("keys"));
        String id = UUID.randomUUID().toString();
        base = TestKeys.spec(
                id,
                "unit",
                TestKeys.hostKey(TestKeys.generate(keys, "host")),
                List.of(),
                new Resources(1, 512, 3),
                "two-gib",
                CloudInitConfig.EMPTY);
    }

    @AfterEach
    void tearDown() {
        provider.close();
    }

    private WorkspaceSpec with(Resources resources, String image, Map<String, String> settings) {
        return new WorkspaceSpec(
                base.id(),
                base.name(),
                base.owner(),
                base.template(),
                resources,
                image,
                base.sshUser(),
                base.authorizedKeys(),
                base.hostKey(),
                base.hostCertificate(),
                base.cloudInit(),
                settings);
    }

    private Path workspaceDir() {
        return tmp.resolve("data/workspaces").resolve(base.id());
    }

    private List<String> workspaceFiles() throws Exception {
        if (!Files.exists(workspaceDir())) return List.of();
        try (Stream<Path> s = Files.list(workspaceDir())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void stoppedCreatesDiskAndSeedWithoutBootingAndDeleteRemovesThem() throws Exception {
        RecordingListener listener = new RecordingListener();

        assertThat(provider.observe(base)).isInstanceOf(Observation.Absent.class);
        assertThat(provider.apply(base, PowerState.STOPPED, listener)).isInstanceOf(Observation.Stopped.class);

        assertThat(workspaceFiles()).contains("overlay.qcow2", "seed.iso").doesNotContain("qemu.pid");
        QemuImg.Info overlay = new QemuImg(Binaries.resolve("qemu-img", "qemu-utils"))
                .info(workspaceDir().resolve("overlay.qcow2"));
        assertThat(overlay.format()).isEqualTo("qcow2");
        assertThat(overlay.virtualSize()).isEqualTo(3L << 30);
        assertThat(listener.phases()).containsExactly("image", "disk", "seed");
        assertThat(provider.observe(base)).isInstanceOf(Observation.Stopped.class);
        // Idempotent.
        assertThat(provider.apply(base, PowerState.STOPPED, listener)).isInstanceOf(Observation.Stopped.class);

        // A bigger disk in the template grows the overlay on the next apply.
        provider.apply(with(new Resources(1, 512, 5), "two-gib", Map.of()), PowerState.STOPPED, listener);
        assertThat(new QemuImg(Binaries.resolve("qemu-img", "qemu-utils"))
                        .info(workspaceDir().resolve("overlay.qcow2"))
                        .virtualSize())
                .isEqualTo(5L << 30);
        assertThat(listener.eventTypes()).contains("disk-created", "disk-grown");

        assertThat(provider.delete(base, listener)).isInstanceOf(Observation.Absent.class);
        assertThat(workspaceDir()).doesNotExist();
        assertThat(provider.observe(base)).isInstanceOf(Observation.Absent.class);
        // The image cache is never touched by delete.
        assertThat(provider.imageCache().cached("two-gib")).isPresent();
    }

    @Test
    void theSeedCarriesTheSecretsBootCommandsOnlyForAStartWithSecrets() throws Exception {
        RecordingListener listener = new RecordingListener();
        provider.apply(base, PowerState.STOPPED, listener);
        // Without secrets cloud-init runs no extra command at boot (issue #18 item 2).
        assertThat(seedFile("user-data")).doesNotContain("hangar-secrets", "/var/secrets");

        provider.delete(base, listener);
        WorkspaceSpec withSecret =
                base.withSecrets(List.of(new dev.hangar.provider.spi.SecretFile("token", new byte[] {1})));
        provider.apply(withSecret, PowerState.STOPPED, listener);
        String userData = seedFile("user-data");
        // once as a bootcmd (every boot), once as a runcmd (first boot, after the user exists)
        assertThat(userData.lines().filter(l -> l.equals("  - hangar-secrets"))).hasSize(2);
        assertThat(userData).contains("/var/secrets");
    }

    @Test
    void diskSmallerThanTheImageIsRefusedAndCreatesNothing() throws Exception {
        WorkspaceSpec tooSmall = with(new Resources(1, 512, 1), "two-gib", Map.of());

        assertThatThrownBy(() -> provider.apply(tooSmall, PowerState.RUNNING, ProviderListener.NONE))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("disk of 1 GiB is smaller than image two-gib (2.0 GiB)")
                .hasMessageContaining("at least 2 GiB")
                .matches(e -> ((ProviderException) e).permanent());
        assertThat(workspaceFiles()).doesNotContain("overlay.qcow2", "overlay.qcow2.tmp", "qemu.pid", "seed.iso");
        // A first start that failed leaves no workspace directory at all.
        assertThat(workspaceDir()).doesNotExist();
    }

    /**
     * This machine has no passthrough hardware and no IOMMU (a Firecracker guest), so the real
     * host check refuses a claimed device before QEMU starts, saying what the host lacks; the
     * address is one no host has, so on a machine with an IOMMU the reason is the missing device.
     */
    @Test
    void aClaimedPciDeviceTheHostCannotPassThroughFailsPermanentlyBeforeQemuStarts() throws Exception {
        provider.hostDevices()
                .orElseThrow()
                .useClaims(id -> id.equals(base.id()) ? List.of("ffff:ff:1f.7") : List.of());

        assertThatThrownBy(() -> provider.apply(base, PowerState.RUNNING, ProviderListener.NONE))
                .isInstanceOf(ProviderException.class)
                .hasMessageStartingWith(
                        "cannot pass PCI device ffff:ff:1f.7 through to workspace " + base.name() + ": ")
                .hasMessageFindingMatch("this host has no IOMMU enabled .*intel_iommu=on|this host has no PCI device"
                        + " ffff:ff:1f.7 .*lspci -Dnn")
                .matches(e -> ((ProviderException) e).permanent());
        assertThat(workspaceFiles()).doesNotContain("qemu.pid");
    }

    @Test
    void theAllowListIsTheProvidersHostDevices() {
        try (QemuProvider withDevices = (QemuProvider) new QemuProviderFactory()
                .create(new ProviderContext(
                        tmp.resolve("data-devices"),
                        Map.of(
                                "accelerator", "tcg",
                                "pci-devices.0.name", "nvidia.com/gpu",
                                "pci-devices.0.address", "0000:01:00.0",
                                "pci-devices.1.name", "example.com/fpga",
                                "pci-devices.1.address", "0000:5e:00.0"),
                        Clock.systemUTC()))) {
            assertThat(withDevices.hostDevices().orElseThrow().allowed())
                    .containsExactly(
                            Map.entry("nvidia.com/gpu", List.of("0000:01:00.0")),
                            Map.entry("example.com/fpga", List.of("0000:5e:00.0")));
        }
        assertThat(provider.hostDevices().orElseThrow().allowed()).isEmpty();
    }

    @Test
    void unknownImageIsPermanent() throws Exception {
        assertThatThrownBy(() -> provider.apply(
                        with(base.resources(), "haiku-r1", Map.of()), PowerState.RUNNING, ProviderListener.NONE))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("unknown image 'haiku-r1'")
                .matches(e -> ((ProviderException) e).permanent());
        assertThat(workspaceDir()).doesNotExist();
    }

    @Test
    void noFreePortInTheConfiguredRangeNamesTheRangeAndTheSettingAndCreatesNothing() throws Exception {
        List<ServerSocket> taken = occupyTwoAdjacentLoopbackPorts();
        int first = taken.getFirst().getLocalPort();
        String range = first + "-" + (first + 1);
        try (QemuProvider ranged = (QemuProvider) new QemuProviderFactory()
                .create(new ProviderContext(
                        tmp.resolve("data"),
                        Map.of("accelerator", "tcg", "ssh-port-range", range),
                        Clock.systemUTC()))) {
            assertThatThrownBy(() -> ranged.apply(base, PowerState.RUNNING, ProviderListener.NONE))
                    .isInstanceOf(ProviderException.class)
                    .hasMessageContaining("no free loopback port for the ssh forward of workspace unit")
                    .hasMessageContaining("all 2 ports of qemu setting ssh-port-range " + range + " are in use")
                    .hasMessageContaining("widen the range (providers.qemu.ssh-port-range in server.yaml)")
                    .matches(e -> ((ProviderException) e).permanent());
            assertThat(workspaceDir()).as("nothing created").doesNotExist();

            // A stopped workspace needs no port: creating it STOPPED works while the range is full.
            assertThat(ranged.apply(base, PowerState.STOPPED, ProviderListener.NONE))
                    .isInstanceOf(Observation.Stopped.class);
            assertThat(workspaceFiles()).contains("overlay.qcow2", "seed.iso");
        } finally {
            for (ServerSocket s : taken) s.close();
        }
    }

    /** Binds two adjacent ports on 127.0.0.1 (retrying where a neighbour is in use) and keeps them. */
    private static List<ServerSocket> occupyTwoAdjacentLoopbackPorts() throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            int next = a.getLocalPort() + 1;
            if (next <= 65535) {
                try {
                    return List.of(a, new ServerSocket(next, 1, InetAddress.getLoopbackAddress()));
                } catch (java.io.IOException inUse) {
                    // try another pair
                }
            }
            a.close();
        }
        throw new AssertionError("no two adjacent free loopback ports");
    }

    @Test
    void templateSettingsAreRefused() {
        assertThatThrownBy(() -> provider.apply(
                        with(base.resources(), "two-gib", Map.of("privileged", "true")),
                        PowerState.RUNNING,
                        ProviderListener.NONE))
                .isInstanceOf(ProviderException.class)
                .hasMessageContaining("only template setting is 'stop'; remove [privileged]");
    }

    @Test
    void theStopSettingTakesSuspendOrShutdownOnly() throws Exception {
        RecordingListener listener = new RecordingListener();
        for (String mode : List.of("suspend", "shutdown", "SUSPEND")) {
            assertThat(provider.apply(
                            with(base.resources(), "two-gib", Map.of("stop", mode)), PowerState.STOPPED, listener))
                    .isInstanceOf(Observation.Stopped.class);
        }
        assertThatThrownBy(() -> provider.apply(
                        with(base.resources(), "two-gib", Map.of("stop", "hibernate")),
                        PowerState.STOPPED,
                        ProviderListener.NONE))
                .isInstanceOfSatisfying(
                        ProviderException.class, e -> assertThat(e.permanent()).isTrue())
                .hasMessageContaining("'hibernate' is neither 'suspend' nor 'shutdown'");
    }

    @Test
    void aSavedStateIsReportedWithItsSizeAndGoesWithResetAndDelete() throws Exception {
        WorkspaceSpec spec = with(base.resources(), "two-gib", Map.of("stop", "suspend"));
        RecordingListener listener = new RecordingListener();
        provider.apply(spec, PowerState.STOPPED, listener);
        // Only a complete state counts: a half-written one from a killed suspend is never trusted.
        Files.write(workspaceDir().resolve("vm.state.partial"), new byte[1024]);
        assertThat(provider.observe(spec).detail()).isEqualTo("disk overlay.qcow2 kept");
        Files.write(workspaceDir().resolve("vm.state"), new byte[3 << 20]);
        assertThat(provider.observe(spec))
                .isInstanceOfSatisfying(
                        Observation.Stopped.class, s -> assertThat(s.detail()).isEqualTo("suspended, 3.0 MiB state"));
        assertThat(provider.apply(spec, PowerState.STOPPED, listener).detail()).isEqualTo("suspended, 3.0 MiB state");

        // A reset gives a fresh disk, which the saved memory does not belong to.
        provider.reset().orElseThrow().reset(spec, listener);
        assertThat(workspaceFiles()).doesNotContain("vm.state");
        assertThat(provider.observe(spec).detail()).isEqualTo("disk overlay.qcow2 kept");

        Files.write(workspaceDir().resolve("vm.state"), new byte[1024]);
        assertThat(provider.delete(spec, listener)).isInstanceOf(Observation.Absent.class);
        assertThat(workspaceDir()).doesNotExist();
    }

    @Test
    void theRamFileCountsOnlyWithAStateAndGoesWithAColdStopAResetAndDelete() throws Exception {
        WorkspaceSpec spec = with(base.resources(), "two-gib", Map.of("stop", "suspend"));
        RecordingListener listener = new RecordingListener();
        provider.apply(spec, PowerState.STOPPED, listener);
        // What a VM killed while running leaves (ADR 0020): its memory without a state, never a suspend;
        // a stop that finds no VM is a cold stop and frees the disk space
        sparseRamFile(1L << 30);
        assertThat(provider.observe(spec).detail()).isEqualTo("disk overlay.qcow2 kept");
        assertThat(provider.apply(spec, PowerState.STOPPED, listener).detail()).isEqualTo("disk overlay.qcow2 kept");
        assertThat(workspaceFiles()).doesNotContain("vm.ram");

        // Suspended with file-backed RAM: the device state and the memory file, counted together
        sparseRamFile(1L << 30);
        Files.write(workspaceDir().resolve("vm.state"), new byte[300 << 20]);
        assertThat(provider.apply(spec, PowerState.STOPPED, listener).detail()).isEqualTo("suspended, 1.3 GiB state");
        assertThat(workspaceFiles()).contains("vm.ram", "vm.state");

        provider.reset().orElseThrow().reset(spec, listener);
        assertThat(workspaceFiles()).doesNotContain("vm.ram", "vm.state");

        sparseRamFile(1L << 30);
        Files.write(workspaceDir().resolve("vm.state"), new byte[1024]);
        assertThat(provider.delete(spec, listener)).isInstanceOf(Observation.Absent.class);
        assertThat(workspaceDir()).doesNotExist();
    }

    private void sparseRamFile(long bytes) throws java.io.IOException {
        try (var f =
                new java.io.RandomAccessFile(workspaceDir().resolve("vm.ram").toFile(), "rw")) {
            f.setLength(bytes);
        }
    }

    @Test
    void aSuspendRequestIsKeptInAFileAndUsedUpByTheNextStop() throws Exception {
        provider.suspend().orElseThrow().suspendOnNextStop(base);
        assertThat(workspaceDir()).doesNotExist(); // nothing exists, nothing to suspend, nothing created
        provider.apply(base, PowerState.STOPPED, ProviderListener.NONE);

        provider.suspend().orElseThrow().suspendOnNextStop(base);
        assertThat(workspaceDir().resolve("stop-mode")).hasContent("SUSPEND");
        // a stop that finds no VM running uses the request up: a later stop is a shutdown again
        assertThat(provider.apply(base, PowerState.STOPPED, ProviderListener.NONE)
                        .detail())
                .isEqualTo("disk overlay.qcow2 kept");
        assertThat(workspaceDir().resolve("stop-mode")).doesNotExist();
    }

    @Test
    void stateSizesReadInBinaryUnits() {
        assertThat(SavedState.describe(1288490189L)).isEqualTo("1.2 GiB");
        assertThat(SavedState.describe(1L << 30)).isEqualTo("1.0 GiB");
        assertThat(SavedState.describe((1L << 30) - 1)).isEqualTo("1024.0 MiB");
        assertThat(SavedState.describe(812L << 20)).isEqualTo("812.0 MiB");
        assertThat(SavedState.describe(0)).isEqualTo("0.0 MiB");
    }

    @Test
    void anImageCannotBeDeletedWhileAWorkspaceDiskUsesIt() {
        dev.hangar.provider.spi.WorkspaceImages images = provider.images().orElseThrow();
        assertThat(provider.apply(base, PowerState.STOPPED, ProviderListener.NONE))
                .isInstanceOf(Observation.Stopped.class);

        assertThatThrownBy(() -> images.delete("two-gib"))
                .isInstanceOfSatisfying(
                        dev.hangar.provider.spi.ImageInUseException.class,
                        e -> assertThat(e.workspaceIds()).containsExactly(base.id()))
                .hasMessageContaining("image 'two-gib' is still used")
                .hasMessageContaining(base.id());
        assertThat(images.find("two-gib"))
                .hasValueSatisfying(i -> assertThat(i.state()).isEqualTo(dev.hangar.provider.spi.ImageState.CACHED));

        assertThat(provider.delete(base, ProviderListener.NONE)).isInstanceOf(Observation.Absent.class);
        assertThat(images.delete("two-gib")).isTrue();
        assertThat(images.find("two-gib")).isEmpty();
        assertThat(images.delete("two-gib")).as("idempotent").isFalse();
    }

    @Test
    void resetOfAStoppedWorkspaceGivesAFreshDiskAndANewInstanceAndStaysStopped() throws Exception {
        WorkspaceSpec member = base.withLabNetwork(
                new LabNetwork("lab:unit", "10.213.4.11/24", Map.of("unit", "10.213.4.11", "other", "10.213.4.12")));
        RecordingListener listener = new RecordingListener();
        assertThat(provider.apply(member, PowerState.STOPPED, listener)).isInstanceOf(Observation.Stopped.class);
        Path overlay = workspaceDir().resolve("overlay.qcow2");
        assertThat(qemuIo(overlay, "write -P 0xab 0 1M").exitCode()).isZero();
        assertThat(qemuIo(overlay, "read -P 0xab 0 1M").stdout()).doesNotContain("Pattern verification failed");
        assertThat(seedFile("meta-data")).contains("instance-id: " + base.id() + "\n");
        // A crashed earlier reset left its half-made overlay: it is replaced, never used.
        Files.writeString(workspaceDir().resolve("overlay.qcow2.reset"), "half");

        assertThat(provider.reset().orElseThrow().reset(member, listener)).isInstanceOf(Observation.Stopped.class);

        assertThat(qemuIo(overlay, "read -P 0xab 0 1M").stdout()).contains("Pattern verification failed");
        assertThat(qemuIo(overlay, "read -P 0x00 0 1M").stdout()).doesNotContain("Pattern verification failed");
        assertThat(new QemuImg(Binaries.resolve("qemu-img", "qemu-utils"))
                        .info(overlay)
                        .virtualSize())
                .isEqualTo(3L << 30);
        assertThat(workspaceFiles()).doesNotContain("overlay.qcow2.reset", "qemu.pid");
        assertThat(seedFile("meta-data")).contains("instance-id: " + base.id() + ".reset-1\n");
        // the seed still configures the lab NIC and the hosts: same MAC, same address
        assertThat(seedFile("network-config"))
                .contains(dev.hangar.provider.vm.LabNic.macAddress(base.id()))
                .contains("10.213.4.11/24");
        assertThat(seedFile("user-data")).contains("10.213.4.12 other");
        assertThat(listener.eventTypes()).contains("disk-reset");
        assertThat(provider.observe(member)).isInstanceOf(Observation.Stopped.class);

        // Idempotent: again gives a fresh disk and the next instance; a later start keeps it.
        assertThat(provider.reset().orElseThrow().reset(member, listener)).isInstanceOf(Observation.Stopped.class);
        assertThat(seedFile("meta-data")).contains("instance-id: " + base.id() + ".reset-2\n");
        assertThat(provider.apply(member, PowerState.STOPPED, listener)).isInstanceOf(Observation.Stopped.class);
        assertThat(seedFile("meta-data")).contains("instance-id: " + base.id() + ".reset-2\n");
    }

    @Test
    void aDiskFromBeforeTheRtcClockUnitKeepsItsBootcmdUntilAReset() throws Exception {
        RecordingListener listener = new RecordingListener();
        provider.apply(base, PowerState.STOPPED, listener);
        // a disk created now: its first boot installs the unit, no command at every boot
        assertThat(workspaceFiles()).contains("rtc-clock-unit");
        assertThat(seedFile("user-data"))
                .contains(CloudInitUserData.RTC_CLOCK_UNIT_PATH, "enable-linger")
                .doesNotContain("systemd-run");

        // a disk an earlier Hangar created has no marker: cloud-init will not run write_files for
        // its instance again, so the seed rewritten at its next start keeps the old bootcmd
        Files.delete(workspaceDir().resolve("rtc-clock-unit"));
        WorkspaceDir d = new WorkspaceDir(workspaceDir());
        assertThat(WorkspaceDisks.resume(d)).isEqualTo(CloudInitUserData.Resume.LEGACY_BOOTCMD);
        new WorkspaceDisks(new QemuImg(Binaries.resolve("qemu-img", "qemu-utils")), Clock.systemUTC())
                .writeSeed(base, d, listener);
        assertThat(seedFile("user-data"))
                .contains("systemd-run --no-block --unit=hangar-rtc-clock")
                .doesNotContain(CloudInitUserData.RTC_CLOCK_UNIT_PATH, "enable-linger");

        // a reset gives a fresh disk and a new instance, whose first boot installs the unit
        provider.reset().orElseThrow().reset(base, listener);
        assertThat(WorkspaceDisks.resume(d)).isEqualTo(CloudInitUserData.Resume.UNIT);
        assertThat(seedFile("user-data"))
                .contains(CloudInitUserData.RTC_CLOCK_UNIT_PATH)
                .doesNotContain("systemd-run");
    }

    @Test
    void resetOfAWorkspaceWithoutADiskCreatesNothing() throws Exception {
        RecordingListener listener = new RecordingListener();
        assertThat(provider.reset().orElseThrow().reset(base, listener)).isInstanceOf(Observation.Absent.class);
        assertThat(workspaceDir()).doesNotExist();
        assertThat(listener.eventTypes()).containsExactly("reset-skipped");
        assertThat(provider.reset()).containsSame(provider.reset().orElseThrow());
    }

    private static Command.Result qemuIo(Path image, String command) throws Exception {
        return Command.run(List.of("qemu-io", "-f", "qcow2", "-c", command, image.toString()), Duration.ofSeconds(30));
    }

    /** @return a file of the workspace's NoCloud seed ISO, read back with isoinfo (genisoimage) */
    private String seedFile(String name) throws Exception {
        Command.Result r = Command.run(
                List.of(
                        "isoinfo",
                        "-R",
                        "-i",
                        workspaceDir().resolve("seed.iso").toString(),
                        "-x",
                        "/" + name),
                Duration.ofSeconds(30));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return r.stdout();
    }
}
