package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hangar.provider.spi.CloudInitConfig;
import dev.hangar.provider.spi.ImageState;
import dev.hangar.provider.spi.Observation;
import dev.hangar.provider.spi.PowerState;
import dev.hangar.provider.spi.ProviderContext;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.Resources;
import dev.hangar.provider.spi.WorkspaceImages;
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
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A workspace whose image cannot be downloaded (a loopback port that refuses): the start waits for
 * the one background pull, then fails with the cause and the offline remedy, once; the image API
 * shows the same pull. No VM boots.
 */
class QemuProviderImagePullTest {
    @TempDir
    Path tmp;

    private QemuProvider provider;
    private WorkspaceSpec spec;
    private int refusing;

    @BeforeEach
    void setUp() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusing = s.getLocalPort();
        } // closed: connections to it are refused
        Path catalog = Files.writeString(
                tmp.resolve("catalog.yaml"),
                "images:\n  - name: offline\n    url: http://127.0.0.1:" + refusing + "/debian.qcow2\n    sha256: "
                        + "0a".repeat(32) + "\n");
        provider = (QemuProvider) new QemuProviderFactory()
                .create(new ProviderContext(
                        tmp.resolve("data"),
                        Map.of("accelerator", "tcg", "image-catalog", catalog.toString()),
                        Clock.systemUTC()));
        Path keys = Files.createDirectory(tmp.resolve("keys"));
        spec = TestKeys.spec(
                UUID.randomUUID().toString(),
                "pull-" + Long.toHexString(System.nanoTime()),
                TestKeys.hostKey(TestKeys.generate(keys, "host")),
                List.of(),
                new Resources(1, 512, 1),
                "offline",
                CloudInitConfig.EMPTY);
    }

    @AfterEach
    void tearDown() {
        provider.close();
    }

    @Test
    void aStartWaitingForAFailedDownloadFailsOnceWithTheCauseAndTheRemedy() {
        RecordingListener listener = new RecordingListener();
        AtomicReference<ProviderException> failure = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try {
                provider.apply(spec, PowerState.RUNNING, listener);
                return false;
            } catch (ProviderException e) {
                failure.set(e);
                return true;
            }
        });
        assertThat(failure.get())
                .hasMessageContaining("downloading image offline from http://127.0.0.1:" + refusing)
                .hasMessageContaining("failed: connection refused to 127.0.0.1:" + refusing)
                .hasMessageContaining("hangar image import FILE --name offline")
                .hasMessageContaining("HANGAR_IMAGE_FILE")
                .hasMessageNotContaining("null");
        assertThat(failure.get().permanent()).as("a network error is retried").isFalse();
        assertThat(listener.eventTypes()).doesNotContain("vm-started");

        // The image API sees the same pull's failure.
        WorkspaceImages images = provider.images().orElseThrow();
        assertThat(images.find("offline")).hasValueSatisfying(i -> {
            assertThat(i.state()).isEqualTo(ImageState.FAILED);
            assertThat(i.pull().error()).contains("connection refused to 127.0.0.1:" + refusing);
        });
        assertThat(pullsStarted(listener)).isEqualTo(1);
        // The failure is handed over once: the next start pulls again instead of repeating it.
        applyOnce(listener);
        assertThat(pullsStarted(listener)).isEqualTo(2);
        awaitPullEnded(images);
    }

    @Test
    void anApiPullAndAWorkspaceStartShareOneDownload() {
        WorkspaceImages images = provider.images().orElseThrow();
        images.pull("offline");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> images.find("offline").orElseThrow().state() == ImageState.FAILED);
        // A failure nobody's start waited for is not thrown at a later start: it pulls afresh.
        RecordingListener listener = new RecordingListener();
        applyOnce(listener);
        assertThat(pullsStarted(listener)).isEqualTo(1);
        awaitPullEnded(images);
        assertThatThrownBy(() -> images.pull("nope"))
                .isInstanceOf(dev.hangar.provider.spi.UnknownImageException.class)
                .hasMessageContaining("unknown image 'nope'");
    }

    /** One start; the download it begins may fail before the call returns, which is fine here. */
    private void applyOnce(RecordingListener listener) {
        try {
            assertThat(provider.apply(spec, PowerState.RUNNING, listener)).isInstanceOf(Observation.Starting.class);
        } catch (ProviderException e) {
            assertThat(e).hasMessageContaining("connection refused to 127.0.0.1:" + refusing);
        }
    }

    /**
     * Waits until the download a start began in the background has failed (it writes under the
     * temporary directory until then: JUnit's deletion of that directory raced it under load).
     */
    private static void awaitPullEnded(WorkspaceImages images) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> images.find("offline").orElseThrow().state() != ImageState.PULLING);
    }

    private static long pullsStarted(RecordingListener listener) {
        return listener.eventTypes().stream()
                .filter("image-pull-started"::equals)
                .count();
    }
}
