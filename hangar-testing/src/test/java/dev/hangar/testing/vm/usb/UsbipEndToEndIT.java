package dev.hangar.testing.vm.usb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hangar.api.Json;
import dev.hangar.cli.CliHarness;
import dev.hangar.testfixtures.GuestSsh;
import dev.hangar.testfixtures.LeftoverQemuSweep;
import dev.hangar.testfixtures.TestImage;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.testing.TestHttp;
import dev.hangar.testing.vm.LocalVm;
import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * USB/IP end to end with real kernels: a QEMU-emulated USB disk on a "PC" VM is exported by the real
 * usbipd, and {@code hangar usb attach} (the real CLI, in-process) brings it into a workspace VM that
 * the control plane created with the real qemu provider, through an SSH remote forward over the
 * Hangar SSH gateway. The host kernel has no usbip support; both guests run Debian 12's kernel, which
 * has usbip-host and vhci-hcd. Everything is real: QEMU ({@code -accel tcg}), OpenSSH, usbipd, the
 * kernel's vhci-hcd and usb-storage on the workspace side.
 *
 * <p>Checked: {@code hangar usb list} sees the PC's device (46f4:0001) through the PC's forwarded
 * port; after attach the workspace's USB bus lists 46f4:0001 (read from sysfs, the data {@code lsusb}
 * prints; the test image has no usbutils), the block device holds exactly the bytes the test wrote,
 * through the gateway tunnel (the VM's guestfwd, ADR 0019, the default for a local VM) the workspace's
 * sshd listens on nothing but :22 and the import comes from 10.0.2.100:3240; with {@code --via ssh}
 * the forward listens on 127.0.0.1 only inside the workspace; after each detach the device is gone,
 * no ssh process of the CLI is left; the workspace has usb-attach and usb-detach events.
 *
 * <p>Two VMs, booted in parallel (PC with plain QEMU, workspace through the control plane).
 */
class UsbipEndToEndIT {
    // TCG boots take 1-2 min on an idle 2-core machine and over 12 min when it is heavily loaded.
    private static final Duration BOOT = Duration.ofMinutes(20);
    private static final int DISK_MIB = 16;

    @TempDir
    Path tmp;

    /** Stops QEMU processes that a killed earlier run of a VM test left behind (never another's). */
    @BeforeAll
    static void sweepLeftoverVms() {
        LeftoverQemuSweep.forTestVms().sweep();
    }

    @Test
    void aPcUsbDiskAttachedThroughTheGatewayIsReadableInTheWorkspaceAndDetachesCleanly() throws Exception {
        Instant t0 = Instant.now();
        Path image = TestImage.path();
        Path userHome = tmp.resolve("user");
        Path sshDir = Files.createDirectories(
                userHome.resolve(".ssh"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path clientKey = sshDir.resolve("id_ed25519");
        PcVm.exec(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "usb-e2e", "-f", clientKey.toString()));

        // The PC's USB disk: a marker, then pseudo-random bytes; the workspace must read exactly these.
        String marker = "HANGAR-USB-E2E-" + System.nanoTime();
        byte[] content = new byte[DISK_MIB * 1024 * 1024];
        new Random(42).nextBytes(content);
        ByteBuffer.wrap(content).put(marker.getBytes(StandardCharsets.US_ASCII));
        String sha256 =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));

        // Short roots: QEMU's unix socket paths must stay under 108 bytes.
        Path home = Files.createTempDirectory(Path.of("/tmp"), "hv");
        LeftoverQemuSweep.claim(home);
        Path pcDir = Files.createTempDirectory(Path.of("/tmp"), "hp");
        LeftoverQemuSweep.claim(pcDir);
        Path usbDisk = pcDir.resolve("usb.raw");
        Files.write(usbDisk, content);
        Files.createDirectories(home.resolve("templates"));
        Files.writeString(home.resolve("templates/usbvm.yaml"), TEMPLATE);
        PcVm pc = null;
        try (TestControlPlane cp =
                LocalVm.controlPlane(home, Map.of("restrict-network", "true")).start()) {
            TestHttp http = cp.http();
            String token = cp.adminToken();
            created(http.post(
                    "/api/v1/images/import", token, body(Map.of("path", image.toString(), "name", "test-debian"))));
            created(http.post(
                    "/api/v1/users/me/keys",
                    token,
                    body(Map.of(
                            "key", Files.readString(Path.of(clientKey + ".pub")).strip()))));

            // Both VMs boot at once: the PC with plain QEMU, the workspace through the control plane.
            Instant bootStart = Instant.now();
            pc = PcVm.launch(image, pcDir, clientKey, usbDisk);
            created(http.post("/api/v1/workspaces", token, body(Map.of("name", "dev", "template", "usbvm"))));
            PcVm pcVm = pc;
            CompletableFuture<Void> pcReady = CompletableFuture.runAsync(() -> pcVm.awaitReady(BOOT));
            awaitPhase(http, token, "Running", home);

            CliHarness cli = new CliHarness(userHome)
                    .pollInterval(Duration.ofMillis(200))
                    .env("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"))
                    .env("HANGAR_URL", cp.baseUri().toString())
                    .env("HANGAR_TOKEN", token);
            CliHarness.Result config = cli.run("config-ssh");
            assertThat(config.code()).as(config.toString()).isZero();
            Path sshConfig = sshDir.resolve("config");
            // sshd answers before cloud-init has created the user and loaded vhci-hcd
            await("vhci-hcd loaded in the workspace")
                    .atMost(BOOT)
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() ->
                            workspace(sshConfig, "test -d /sys/module/vhci_hcd").code() == 0);
            try {
                pcReady.join();
            } catch (RuntimeException e) {
                throw new AssertionError("PC VM not ready; serial console:\n" + pc.serialTail(), e);
            }
            Duration boots = Duration.between(bootStart, Instant.now());

            String busId = pc.export();
            String usbipd = "127.0.0.1:" + pc.usbipPort();
            CliHarness.Result list = cli.run("usb", "list", "--usbipd", usbipd);
            assertThat(list.code()).as(list.toString()).isZero();
            assertThat(list.out()).as(list.toString()).contains(busId).contains(PcVm.VID_PID);
            CliHarness.Result json = cli.run("usb", "list", "--usbipd", usbipd, "-o", "json");
            JsonNode devices = Json.mapper().readTree(json.out());
            assertThat(devices).as(json.toString()).hasSize(1);
            assertThat(devices.get(0).path("busId").asText()).isEqualTo(busId);
            assertThat(devices.get(0).path("vidPid").asText()).isEqualTo(PcVm.VID_PID);

            // The default path for a local VM: the guest's guestfwd, bridged by the gateway (ADR 0019) ...
            Duration[] gateway = attachReadDetach(cli, sshConfig, busId, usbipd, "auto", marker, sha256);
            // ... and the old one, forced: ssh -R into the workspace's sshd.
            Duration[] ssh = attachReadDetach(cli, sshConfig, busId, usbipd, "ssh", marker, sha256);

            List<String> types = new ArrayList<>();
            for (JsonNode e : TestHttp.json(http.get("/api/v1/workspaces/dev/events", token))) {
                if (e.path("message").asText().contains("busid=" + busId))
                    types.add(e.path("type").asText());
            }
            assertThat(types).contains("usb-attach", "usb-detach");

            System.out.printf(
                    "UsbipEndToEndIT: both VMs ready %d ms; gateway: attach -> block device %d ms, detach -> gone %d"
                            + " ms; --via ssh: %d ms, %d ms; total %d ms%n",
                    boots.toMillis(),
                    gateway[0].toMillis(),
                    gateway[1].toMillis(),
                    ssh[0].toMillis(),
                    ssh[1].toMillis(),
                    Duration.between(t0, Instant.now()).toMillis());
            assertThat(http.delete("/api/v1/workspaces/dev", token).statusCode())
                    .isEqualTo(202);
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> http.get("/api/v1/workspaces/dev", token).statusCode() == 404);
        } finally {
            sshChildren().forEach(ProcessHandle::destroyForcibly);
            if (pc != null) pc.close();
            // QEMU is detached from the JVM on purpose (daemonized): kill any VM of this test.
            for (Path root : List.of(home, pcDir)) {
                ProcessHandle.allProcesses()
                        .filter(h -> h.info().commandLine().orElse("").contains(root.toString()))
                        .filter(h -> h.info().command().orElse("").contains("qemu-system"))
                        .forEach(ProcessHandle::destroyForcibly);
                deleteTree(root);
            }
        }
    }

    /**
     * One attach (with {@code --via via}), the disk's bytes checked in the workspace, the tunnel's
     * listeners and the import's source checked, then detach and no ssh left.
     *
     * @return attach to block device, detach to gone
     */
    private static Duration[] attachReadDetach(
            CliHarness cli, Path sshConfig, String busId, String usbipd, String via, String marker, String sha256)
            throws Exception {
        Instant attachStart = Instant.now();
        CliHarness.Running running = cli.start("usb", "attach", "dev", busId, "--usbipd", usbipd, "--via", via);
        try {
            await("46f4:0001 on the workspace's USB bus")
                    .atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .failFast("hangar usb attach exited", () -> running.exit().isDone())
                    .until(() -> workspace(sshConfig, USB_IDS).out().lines().anyMatch(PcVm.VID_PID::equals));
        } catch (org.awaitility.core.TerminalFailureException | ConditionTimeoutException e) {
            // the CLI's output is only known now, not when the condition was built
            throw new AssertionError(
                    "attach did not bring the device in; hangar usb attach "
                            + (running.exit().isDone()
                                    ? "exited "
                                            + running.exit()
                                                    .handle((c, t) -> c != null ? c : t)
                                                    .join()
                                    : "still runs")
                            + "\n" + running.soFar(),
                    e);
        }
        String disk = await("the imported disk's block device")
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> workspace(sshConfig, USB_DISK).out().strip(), d -> d.startsWith("/dev/sd"));
        Duration attachTime = Duration.between(attachStart, Instant.now());

        assertThat(workspace(sshConfig, "sudo head -c " + marker.length() + " " + disk)
                        .orThrow("read marker")
                        .out())
                .isEqualTo(marker);
        assertThat(workspace(sshConfig, "sudo sha256sum " + disk)
                        .orThrow("sha256sum")
                        .out())
                .startsWith(sha256 + " ");

        // USB/IP has no authentication: every listener of the workspace's sshd except its own
        // port 22 is a forward, and it must be on 127.0.0.1 only; through the gateway there is none.
        String listening = workspace(sshConfig, "sudo ss -ltnpH").orThrow("ss").out();
        List<String> forwards = listening
                .lines()
                .filter(l -> l.contains("sshd"))
                .filter(l -> !l.matches(".*\\s(0\\.0\\.0\\.0|\\[::\\]|\\*):22\\s.*"))
                .toList();
        String ports =
                workspace(sshConfig, "sudo usbip port").orThrow("usbip port").out();
        if (via.equals("ssh")) {
            assertThat(running.soFar()).contains("tunnel: ssh -R into the workspace");
            assertThat(forwards).as("sshd listeners besides :22:\n" + listening).isNotEmpty();
            assertThat(forwards).allSatisfy(l -> assertThat(l).containsPattern("\\s127\\.0\\.0\\.1:\\d+\\s"));
            assertThat(ports).contains("usbip://127.0.0.1:");
        } else {
            assertThat(running.soFar())
                    .contains("tunnel: gateway (VM guest forward)")
                    .contains("10.0.2.100:3240");
            assertThat(forwards).as("sshd listeners besides :22:\n" + listening).isEmpty();
            assertThat(ports).contains("usbip://10.0.2.100:3240/" + busId);
        }

        Instant detachStart = Instant.now();
        CliHarness.Result detach = cli.run("usb", "detach", "dev", busId);
        assertThat(detach.code()).as(detach.toString()).isZero();
        await("hangar usb attach ends after detach")
                .atMost(Duration.ofMinutes(1))
                .until(running.exit()::isDone);
        await("46f4:0001 gone from the workspace's USB bus")
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> workspace(sshConfig, USB_IDS).out().lines().noneMatch(PcVm.VID_PID::equals));
        Duration detachTime = Duration.between(detachStart, Instant.now());
        await("no ssh process of the CLI left")
                .atMost(Duration.ofSeconds(30))
                .until(() -> sshChildren().isEmpty());
        return new Duration[] {attachTime, detachTime};
    }

    /** The VID:PID of every device on the guest's USB buses, one per line: what {@code lsusb} reads. */
    private static final String USB_IDS =
            "for d in /sys/bus/usb/devices/*; do [ -f $d/idVendor ] && echo $(cat $d/idVendor):$(cat $d/idProduct); done; true";

    /** The block device whose sysfs path runs through vhci_hcd, i.e. the imported disk. */
    private static final String USB_DISK =
            "for b in /sys/block/sd*; do case $(readlink -f $b) in *vhci_hcd*) [ $(cat $b/size) -gt 0 ] && echo /dev/${b##*/};; esac; done; true";

    private static final String TEMPLATE = """
            name: usbvm
            description: Debian 12 test VM with vhci-hcd for USB/IP (real QEMU)
            provider: qemu
            image: test-debian
            defaults: {cpus: 1, memoryMiB: 1024, diskGiB: 4}
            limits:
              cpus: {min: 1, max: 2}
              memoryMiB: {min: 512, max: 2048}
              diskGiB: {min: 4, max: 8}
            cloudInit: {runcmd: ["modprobe vhci-hcd"]}
            settings: {}
            usb: {allow: ["46f4:0001"]}
            """;

    /** ssh processes started by this JVM (the CLI's tunnel), still running. */
    private static List<ProcessHandle> sshChildren() {
        return ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .filter(h -> h.info().command().orElse("").endsWith("/ssh"))
                .toList();
    }

    /** Runs a command in the workspace through the gateway, as a user would: OpenSSH with config-ssh's config. */
    private static GuestSsh.Result workspace(Path sshConfig, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ssh", "-F", sshConfig.toString(), "-o", "BatchMode=yes", "dev.hangar", command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                return e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("ssh dev.hangar " + command + " hung");
        }
        return new GuestSsh.Result(p.exitValue(), out, new String(err.join(), StandardCharsets.UTF_8));
    }

    /** Waits for the phase; on timeout the failure shows the last workspace view and its serial console. */
    private static void awaitPhase(TestHttp http, String token, String phase, Path home) {
        JsonNode[] last = {null};
        try {
            await("workspace dev reaches " + phase)
                    .atMost(BOOT)
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        last[0] = TestHttp.json(http.get("/api/v1/workspaces/dev", token));
                        if (!phase.equals("Failed")
                                && last[0].path("phase").asText().equals("Failed"))
                            throw new AssertionError("workspace failed: " + last[0]);
                        return last[0].path("phase").asText().equals(phase);
                    });
        } catch (ConditionTimeoutException e) {
            Path serial = home.resolve("providers/qemu/workspaces")
                    .resolve(last[0] == null ? "-" : last[0].path("id").asText())
                    .resolve("serial.log");
            throw new AssertionError(
                    "workspace dev not " + phase + " within " + BOOT + "; last seen " + last[0]
                            + "\nserial console tail:\n" + tail(serial),
                    e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
        } catch (IOException e) {
            return "(none: " + e.getMessage() + ")";
        }
    }

    private static void created(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    private static String body(Map<String, String> fields) {
        ObjectNode n = Json.mapper().createObjectNode();
        fields.forEach(n::put);
        return n.toString();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
