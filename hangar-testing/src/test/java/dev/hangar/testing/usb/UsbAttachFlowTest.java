package dev.hangar.testing.usb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hangar.api.AddSshKeyRequest;
import dev.hangar.api.CreateWorkspaceRequest;
import dev.hangar.api.EventView;
import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.client.ClientSettings;
import dev.hangar.api.client.HangarClient;
import dev.hangar.cli.CliContext;
import dev.hangar.cli.HangarCli;
import dev.hangar.provider.spi.SshEndpoint;
import dev.hangar.server.SshGatewayHook;
import dev.hangar.testfixtures.FailFast;
import dev.hangar.testfixtures.OpenSshd;
import dev.hangar.testing.TestControlPlane;
import dev.hangar.usbip.UsbDevice;
import dev.hangar.usbip.UsbInterface;
import dev.hangar.usbip.UsbipCodec;
import dev.hangar.usbip.UsbipMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code hangar usb attach} / {@code detach} end to end on one host, with real parts where this
 * machine has them: the server with its SSH gateway, {@code config-ssh}'s files, the system OpenSSH
 * client, a real OpenSSH {@code sshd} in a temp dir playing the workspace (holding the workspace's
 * pinned host key) and the real remote forward it binds.
 *
 * <p>Fakes, because this host kernel has no usbip support (no vhci-hcd, no usbip-host): the
 * workspace's {@code usbip}, {@code sudo} and {@code modprobe} are scripts on the sshd user's PATH
 * that record their arguments, and the fake {@code usbip attach} proves the tunnel by sending a real
 * {@code OP_REQ_DEVLIST} through {@code 127.0.0.1:N} in the "workspace"; the PC's usbipd is a Java
 * server answering {@code OP_REQ_DEVLIST} with one ST-Link. The real kernel path (usbip-host, vhci,
 * lsusb in the workspace) is covered by the two-VM integration test in {@code
 * dev.hangar.testing.vm.usb}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UsbAttachFlowTest {
    private static final Duration T = Duration.ofSeconds(60);

    private final String me = System.getProperty("user.name");
    private Path tmp;
    private Path home;
    private Path bin;
    private Path log;
    private TestControlPlane cp;
    private HangarClient client;
    private OpenSshd sshd;
    private ServerSocket usbipd;
    private final AtomicInteger usbipdRequests = new AtomicInteger();
    private final List<Process> cliProcesses = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        assertThat(me).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        tmp = Files.createTempDirectory("hangar-usb-flow-");
        home = tmp.resolve("home");
        Files.createDirectories(home.resolve(".ssh"));
        Path cpHome = tmp.resolve("cp");
        Files.createDirectories(cpHome.resolve("templates"));
        Files.writeString(
                cpHome.resolve("templates/usbfw.yaml"),
                "name: usbfw\nprovider: fake\nimage: test\nusb: {allow: [\"0483:*\"]}\n");
        cp = TestControlPlane.builder()
                .home(cpHome)
                .gateway(new SshGatewayHook())
                .configure(c -> c.withGateway(Map.of("listen-port", "0")))
                .start();
        TestControlPlane.Credentials mine = cp.createUser(me, false);
        client = new HangarClient(ClientSettings.of(cp.baseUri().toString(), mine.token()));
        Path key = home.resolve(".ssh/id_ed25519");
        exec(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "usb-test", "-f", key.toString()));
        String pub = Files.readString(Path.of(key + ".pub")).strip();
        client.addKey(new AddSshKeyRequest(pub));

        int port = OpenSshd.freePort();
        cp.fake().sshEndpoint(new SshEndpoint("127.0.0.1", port));
        client.createWorkspace(new CreateWorkspaceRequest("fw", "usbfw", null, null, null, null, null));
        await().atMost(T).until(() -> client.workspace("fw").phase() == WorkspacePhase.Running);

        Path dir = tmp.resolve("ws");
        Files.createDirectories(
                dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        bin = dir.resolve("bin");
        log = dir.resolve("commands.log");
        writeFakeTools(dir);
        var ws = cp.server().store().workspaces().findByName(me, "fw").orElseThrow();
        sshd = OpenSshd.builder(dir)
                .port(port)
                .hostKey(ws.hostKey().privateKeyOpenSsh())
                .authorizedKeys(List.of(pub))
                .config(
                        // the default; the forward must stay on the workspace's loopback
                        "GatewayPorts no",
                        // the fake usbip/sudo/modprobe come first on the session's PATH; no sbin, where
                        // this host's real (but kernel-less) usbip lives
                        "SetEnv PATH=" + bin + ":/usr/local/bin:/usr/bin:/bin")
                .start();
        usbipd = startFakeUsbipd();
    }

    @AfterEach
    void killClis() {
        for (Process p : cliProcesses) p.destroyForcibly();
    }

    @AfterAll
    void stop() throws IOException {
        if (usbipd != null) usbipd.close();
        if (sshd != null) sshd.close();
        if (client != null) client.close();
        if (cp != null) cp.close();
        try (var walk = Files.walk(tmp)) {
            walk.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void attachTunnelsOnLoopbackReattachesAfterAResetAndDetachUndoesEverything() throws Exception {
        Files.writeString(log, "");
        StringWriter out = new StringWriter();
        CompletableFuture<Integer> attach = CompletableFuture.supplyAsync(
                () -> cli(out, "usb", "attach", "fw", "1-3", "--usbipd", usbipdAddress(), "--poll", "300ms"));
        await().atMost(T)
                .failFast(FailFast.unless("attach ended", () -> !attach.isDone(), () -> "its output:\n" + out))
                .until(() -> out.toString().contains("attached:"));
        int tunnel = tunnelPort(out.toString());

        // the right workspace-side commands, through sudo -n, against the loopback forward
        String commands = Files.readString(log);
        assertThat(commands)
                .contains("sudo modprobe vhci-hcd")
                .contains("sudo usbip --tcp-port " + tunnel + " attach -r 127.0.0.1 -b 1-3")
                // OP_REP_DEVLIST header from the PC's usbipd: version 0x0111, code 0x0005, status 0, 2 devices
                .contains("tunnel devlist ok: 01 11 00 05 00 00 00 00 00 00 00 02");
        // the forward listens on the workspace's loopback only
        // (ss columns: State Recv-Q Send-Q Local-Address:Port Peer-Address:Port)
        List<String> local = exec(List.of("ss", "-ltnH", "sport = :" + tunnel))
                .lines()
                .map(l -> l.strip().split("\\s+")[3])
                .toList();
        assertThat(local).containsExactly("127.0.0.1:" + tunnel);
        assertThat(client.usb().attachments("fw", ""))
                .extracting(a -> a.busid())
                .containsExactly("1-3");

        // the device resets on the PC: the import vanishes from `usbip port`; attach imports it again
        Files.deleteIfExists(bin.resolve("ports"));
        await().atMost(T).until(() -> count(Files.readString(log), "attach -r 127.0.0.1 -b 1-3") == 2);
        await().atMost(T).until(() -> out.toString().contains("re-attaching"));

        StringWriter detachOut = new StringWriter();
        assertThat(cli(detachOut, "usb", "detach", "fw", "1-3"))
                .as(detachOut.toString())
                .isZero();
        assertThat(attach.get(30, TimeUnit.SECONDS)).as(out.toString()).isZero();
        assertThat(detachOut.toString()).contains("detached from fw");
        assertThat(Files.readString(log)).contains("sudo usbip --tcp-port " + tunnel + " detach -p 0");
        assertUndone(tunnel);
    }

    @Test
    void sigtermLikeCtrlCUndoesEverythingAndLeavesNoSsh() throws Exception {
        Files.writeString(log, "");
        Path outFile = tmp.resolve("attach-process.out");
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        CliInOwnHome.class.getName(),
                        "usb",
                        "attach",
                        "fw",
                        "1-3",
                        "--usbipd",
                        usbipdAddress())
                .redirectErrorStream(true)
                .redirectOutput(outFile.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(cliEnv());
        Process attach = pb.start();
        cliProcesses.add(attach);
        await().atMost(T)
                .failFast(FailFast.unless("attach ended", attach::isAlive, () -> "its output:\n" + read(outFile)))
                .until(() -> read(outFile).contains("attached:"));
        int tunnel = tunnelPort(read(outFile));
        List<ProcessHandle> ssh = attach.descendants().toList();
        assertThat(ssh).isNotEmpty();

        attach.destroy(); // SIGTERM: the JVM runs the same shutdown hook as for Ctrl-C (SIGINT)
        assertThat(attach.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(read(outFile)).contains("detached: 1-3 from fw");
        assertThat(Files.readString(log)).contains("sudo usbip --tcp-port " + tunnel + " detach -p 0");
        // ssh and its ProxyJump child (ssh -W through the gateway) end with the session
        await().atMost(Duration.ofSeconds(10)).until(() -> ssh.stream().noneMatch(ProcessHandle::isAlive));
        assertUndone(tunnel);
    }

    @Test
    void aWorkspaceThatCannotLoadVhciHcdGetsAClearErrorAndNothingIsLeft() throws Exception {
        Files.writeString(log, "");
        Path modprobe = bin.resolve("modprobe");
        String original = Files.readString(modprobe);
        // what a container without the privileged mode (or a kernel without the module) answers
        Files.writeString(modprobe, "#!/bin/sh\necho 'modprobe: FATAL: Module vhci-hcd not found' >&2\nexit 1\n");
        try {
            StringWriter out = new StringWriter();
            int code = cli(out, "usb", "attach", "fw", "1-3", "--usbipd", usbipdAddress());
            assertThat(code).as(out.toString()).isEqualTo(1);
            assertThat(out.toString())
                    .contains("vhci-hcd cannot be loaded in workspace fw")
                    .contains("Module vhci-hcd not found")
                    .contains("privileged mode");
            assertThat(Files.readString(log)).doesNotContain("attach -r");
            assertThat(client.usb().attachments("fw", "")).isEmpty();
            assertThat(home.resolve("hangar/usb/fw@1-3.json")).doesNotExist();
            assertNoSshLeft();
        } finally {
            Files.writeString(modprobe, original);
        }
    }

    @Test
    void detachWithoutARunningAttachCleansUpTheWorkspaceItself() throws Exception {
        // What a killed attach (kill -9, crash) leaves: an import in the workspace, no process.
        Files.writeString(log, "");
        Files.writeString(
                bin.resolve("ports"),
                "Imported USB devices\n====================\nPort 03: <Port in Use> at Full Speed(12Mbps)\n"
                        + "       unknown vendor : unknown product (0483:3748)\n"
                        + "       3-1 -> usbip://127.0.0.1:41999/1-3\n           -> remote bus/dev 001/004\n");
        StringWriter out = new StringWriter();
        assertThat(cli(out, "usb", "detach", "fw", "1-3")).as(out.toString()).isZero();
        assertThat(out.toString()).contains("usb 1-3: detached from fw");
        assertThat(Files.readString(log)).contains("sudo usbip --tcp-port 41999 detach -p 3");
        assertThat(bin.resolve("ports")).doesNotExist();

        StringWriter again = new StringWriter();
        assertThat(cli(again, "usb", "detach", "fw", "1-3")).isZero();
        assertThat(again.toString()).contains("was not attached in fw");
        assertNoSshLeft();
    }

    @Test
    void aDeviceTheServerDoesNotAllowIsRefusedBeforeAnySsh() throws Exception {
        StringWriter out = new StringWriter();
        // the fake usbipd also exports 2-1, a Logitech receiver (046d:c52b): not in usbfw's 0483:*
        int code = cli(out, "usb", "attach", "fw", "2-1", "--usbipd", usbipdAddress());
        assertThat(code).as(out.toString()).isEqualTo(7);
        assertThat(out.toString()).contains("046d:c52b").contains("usb.allow");
        assertThat(client.events("fw", "", 100)).extracting(EventView::type).contains("usb-denied");
        assertNoSshLeft();
    }

    // ---- helpers ------------------------------------------------------------------------------

    private void assertUndone(int tunnel) throws IOException {
        assertThat(exec(List.of("ss", "-ltnH", "sport = :" + tunnel))).isBlank();
        assertThat(client.usb().attachments("fw", "")).isEmpty();
        assertThat(client.events("fw", "", 1000)).extracting(EventView::type).contains("usb-attach", "usb-detach");
        assertThat(home.resolve("hangar/usb/fw@1-3.json")).doesNotExist();
        assertNoSshLeft();
    }

    private void assertNoSshLeft() {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(ProcessHandle.allProcesses()
                                .filter(p -> p.info().commandLine().orElse("").contains(home.toString()))
                                .filter(p -> p.info().command().orElse("").endsWith("ssh"))
                                .map(p -> p.info().commandLine().orElse(""))
                                .toList())
                        .isEmpty());
    }

    private Map<String, String> cliEnv() {
        return Map.of(
                "HANGAR_URL", cp.baseUri().toString(),
                "HANGAR_TOKEN", client.settings().token(),
                "HANGAR_HOME", home.resolve("hangar").toString(),
                "HANGAR_TEST_USER_HOME", home.toString());
    }

    /** The real CLI in this JVM with its own home; output and errors both go to {@code out}. */
    private int cli(StringWriter out, String... args) {
        PrintWriter w = new PrintWriter(out, true);
        CliContext s = CliContext.system();
        CliContext ctx = new CliContext(
                w,
                w,
                new ByteArrayInputStream(new byte[0]),
                s.terminal(),
                cliEnv(),
                home,
                Clock.systemUTC(),
                Duration.ofMillis(100));
        return HangarCli.run(ctx, args);
    }

    private String usbipdAddress() {
        return "127.0.0.1:" + usbipd.getLocalPort();
    }

    private static int tunnelPort(String out) {
        Matcher m = Pattern.compile("tunnel up: 127\\.0\\.0\\.1:(\\d+) in fw").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static int count(String text, String what) {
        return text.split(Pattern.quote(what), -1).length - 1;
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The PC's usbipd: answers every OP_REQ_DEVLIST with an ST-Link/V2 on 1-3 and a Logitech receiver on 2-1. */
    private ServerSocket startFakeUsbipd() throws IOException {
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        UsbDevice stlink = new UsbDevice(
                "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-3",
                "1-3",
                1,
                4,
                2,
                0x0483,
                0x3748,
                0x0100,
                0,
                0,
                0,
                1,
                1,
                1,
                List.of(new UsbInterface(0xff, 0xff, 0xff)));
        UsbDevice receiver = new UsbDevice(
                "/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1",
                "2-1",
                2,
                2,
                2,
                0x046d,
                0xc52b,
                0x1211,
                0,
                0,
                0,
                1,
                1,
                1,
                List.of(new UsbInterface(3, 1, 1)));
        byte[] reply = UsbipCodec.encode(new UsbipMessage.DevlistReply(List.of(stlink, receiver)));
        Thread.ofVirtual().start(() -> {
            while (!s.isClosed()) {
                try (Socket c = s.accept()) {
                    InputStream in = c.getInputStream();
                    if (UsbipCodec.readRequest(in) instanceof UsbipMessage.DevlistRequest) {
                        usbipdRequests.incrementAndGet();
                        c.getOutputStream().write(reply);
                    }
                } catch (IOException | RuntimeException e) {
                    // closed at the end, or a client that hung up: serve the next one
                }
            }
        });
        return s;
    }

    /**
     * The workspace's tools. {@code usbip attach} sends OP_REQ_DEVLIST (version 0x0111, code 0x8005)
     * through the forward and logs the reply's header, then records the import the way {@code usbip
     * port} prints it; {@code detach} removes it.
     */
    private void writeFakeTools(Path dir) throws IOException {
        Files.createDirectories(bin);
        script("sudo", """
                #!/bin/sh
                [ "$1" = -n ] && shift
                echo "sudo $*" >> %s
                exec "$@"
                """.formatted(log));
        script("modprobe", """
                #!/bin/sh
                echo "modprobe $*" >> %s
                """.formatted(log));
        script("usbip", """
                #!/bin/bash
                echo "usbip $*" >> %1$s
                ports=%2$s/ports
                if [ "$1" = --tcp-port ]; then tcp=$2; shift 2; fi
                case "$1" in
                  attach)
                    exec 3<>/dev/tcp/127.0.0.1/$tcp || exit 1
                    printf '\\x01\\x11\\x80\\x05\\x00\\x00\\x00\\x00' >&3
                    echo "tunnel devlist ok: $(head -c 12 <&3 | od -An -tx1 | tr -s ' ' | sed 's/^ //')" >> %1$s
                    exec 3<&-
                    printf 'Imported USB devices\\n====================\\nPort 00: <Port in Use> at Full Speed(12Mbps)\\n       STMicroelectronics : ST-LINK/V2 (0483:3748)\\n       3-1 -> usbip://127.0.0.1:%%s/%%s\\n           -> remote bus/dev 001/004\\n' "$tcp" "$5" > $ports ;;
                  port)
                    if [ -f $ports ]; then cat $ports; else printf 'Imported USB devices\\n====================\\n'; fi ;;
                  detach)
                    rm -f $ports ;;
                esac
                """.formatted(log, bin));
    }

    private void script(String name, String text) throws IOException {
        Path p = bin.resolve(name);
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
    }

    private static String exec(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
        return out;
    }
}
