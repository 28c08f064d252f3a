package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.WorkspaceSpec;
import dev.hangar.provider.ssh.TestKeys;
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
                .hasMessageContaining("no template settings; remove [privileged]");
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
}
