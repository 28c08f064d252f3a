package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UsbipGuestForwardTest {
    private static final Path DIR = Path.of("/var/lib/hangar/qemu/workspaces/ws-1");
    private static final Path SOCAT = Path.of("/usr/bin/socat");
    private static final Path PYTHON3 = Path.of("/usr/bin/python3");

    private static QemuCommandLine vm(boolean restrict) {
        return new QemuCommandLine(
                Path.of("/usr/bin/qemu-system-x86_64"),
                Accelerator.TCG,
                "dev",
                1,
                1024,
                new BaseImage.Boot.Kernel(Path.of("/img/vmlinuz"), Path.of("/img/initrd.img"), "root=/dev/vda rw"),
                DIR,
                40022,
                restrict);
    }

    private static String forward() {
        return ((UsbipGuestForward.Choice.Forward) UsbipGuestForward.option(
                        Optional.empty(), Optional.of(SOCAT), new WorkspaceDir(DIR).usbipSocket()))
                .netdevOption();
    }

    @Test
    void theUserNetworkForwardsTheGuestAddressToSocatOnTheVmSocket() {
        List<String> args = vm(true).withUsbipGuestForward(forward()).args();

        // One -netdev argument: restrict=on stays, and the forward is an option of the same network.
        assertThat(args.get(args.indexOf("-netdev") + 1))
                .isEqualTo("user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:40022-:22"
                        + ",guestfwd=tcp:10.0.2.100:3240-cmd:/usr/bin/socat STDIO,,setsockopt-int=6:1:1 UNIX-CONNECT:"
                        + DIR
                        + "/usbip.sock");
    }

    @Test
    void aResumeLaunchesTheSameCommandLineWithOnlyTheIncomingOptionAdded() {
        // VmLauncher builds both from the same record; a resume appends INCOMING_DEFER and nothing else.
        List<String> start = vm(false).withUsbipGuestForward(forward()).args();
        List<String> again = vm(false).withUsbipGuestForward(forward()).args();
        assertThat(again).isEqualTo(start);
        // Other copies of the record keep the forward.
        assertThat(vm(false)
                        .withUsbipGuestForward(forward())
                        .withPciPassthrough(List.of())
                        .args())
                .isEqualTo(start);
    }

    @Test
    void withoutSocatThereIsNoForwardAndTheReasonSaysWhatToInstall() {
        UsbipGuestForward.Choice c =
                UsbipGuestForward.option(Optional.empty(), Optional.empty(), new WorkspaceDir(DIR).usbipSocket());
        assertThat(c)
                .isInstanceOfSatisfying(
                        UsbipGuestForward.Choice.None.class,
                        n -> assertThat(n.reason())
                                .contains("apt-get install python3 or socat")
                                .contains("ssh -R"));
        assertThat(vm(true).args()).noneMatch(a -> a.contains("guestfwd"));
    }

    @Test
    void pathsThatSocatOrQemuWouldSplitOrTooLongSocketsGetNoForward() {
        assertThat(UsbipGuestForward.option(Optional.empty(), Optional.of(SOCAT), Path.of("/data/a,b/usbip.sock")))
                .isInstanceOf(UsbipGuestForward.Choice.None.class);
        assertThat(UsbipGuestForward.option(Optional.empty(), Optional.of(SOCAT), Path.of("/data/a:b/usbip.sock")))
                .isInstanceOf(UsbipGuestForward.Choice.None.class);
        assertThat(UsbipGuestForward.option(
                        Optional.empty(), Optional.of(Path.of("socat")), Path.of("/data/usbip.sock")))
                .isInstanceOf(UsbipGuestForward.Choice.None.class);
        assertThat(UsbipGuestForward.option(
                        Optional.empty(), Optional.of(SOCAT), Path.of("/" + "d".repeat(120) + "/usbip.sock")))
                .isInstanceOfSatisfying(
                        UsbipGuestForward.Choice.None.class,
                        n -> assertThat(n.reason()).contains("longer than 107"));
    }

    @Test
    void withPython3TheCommandPassesSlirpsSocketToTheGatewayAndSaysSo() {
        UsbipGuestForward.Choice c =
                UsbipGuestForward.option(Optional.of(PYTHON3), Optional.of(SOCAT), new WorkspaceDir(DIR).usbipSocket());
        List<String> args = vm(true).withUsbipGuestForward(((UsbipGuestForward.Choice.Forward) c).netdevOption())
                .args();

        assertThat(args.get(args.indexOf("-netdev") + 1))
                .isEqualTo("user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:40022-:22"
                        + ",guestfwd=tcp:10.0.2.100:3240-cmd:/usr/bin/python3 -I -S -c 'import os,,socket,,sys;"
                        + "os.dup2(os.open(\"/dev/null\",,os.O_WRONLY),,2);u=socket.socket(socket.AF_UNIX);"
                        + "u.connect(sys.argv[1]);socket.send_fds(u,,[b\"F\"],,[0])' "
                        + DIR
                        + "/usbip.sock");
        assertThat(((UsbipGuestForward.Choice.Forward) c).path()).startsWith("python3 passes slirp's socket");
        // python3 at a path QEMU would split: socat's relay instead.
        assertThat(UsbipGuestForward.option(
                        Optional.of(Path.of("/opt/py,3/python3")),
                        Optional.of(SOCAT),
                        new WorkspaceDir(DIR).usbipSocket()))
                .isInstanceOfSatisfying(
                        UsbipGuestForward.Choice.Forward.class,
                        f -> assertThat(f.path()).startsWith("socat relays"));
    }

    @Test
    void onlyTheSocketPathHasTheSunPathLimitNotThePython3Path() {
        // An interpreter deep in a long prefix is an ordinary exec argument: it still passes the socket.
        Path longPython = Path.of("/opt/" + "p".repeat(120) + "/bin/python3");
        assertThat(UsbipGuestForward.option(
                        Optional.of(longPython), Optional.of(SOCAT), new WorkspaceDir(DIR).usbipSocket()))
                .isInstanceOfSatisfying(
                        UsbipGuestForward.Choice.Forward.class,
                        f -> assertThat(f.netdevOption()).contains("-cmd:" + longPython + " -I -S -c '"));
        // A socket the gateway could not bind gets no forward on either path.
        Path longSocket = Path.of("/" + "d".repeat(120) + "/usbip.sock");
        assertThat(UsbipGuestForward.option(Optional.of(PYTHON3), Optional.of(SOCAT), longSocket))
                .isInstanceOfSatisfying(
                        UsbipGuestForward.Choice.None.class,
                        n -> assertThat(n.reason()).contains("longer than 107"));
    }

    @Test
    void thePassingProgramIsValidPython() throws Exception {
        // Compiles the program (with QEMU's doubled commas undone, as QEMU's parser does) without running it.
        Process p = new ProcessBuilder(
                        "python3",
                        "-I",
                        "-S",
                        "-c",
                        "import sys; compile(sys.argv[1], 'pass', 'exec')",
                        UsbipGuestForward.PASS_SOCKET)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    @Test
    void theSocketAndItsMarkerAreRuntimeFilesThatAStopRemoves() {
        WorkspaceDir d = new WorkspaceDir(DIR);
        assertThat(d.runtimeFiles()).contains(d.usbipSocket(), d.usbipGuestForwardFile());
    }
}
