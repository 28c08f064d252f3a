package dev.hangar.usbip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UsbipCommandsTest {
    private static final BusId STLINK = new BusId("1-3");

    @Test
    void workspaceSideCommands() {
        assertThat(UsbipCommands.attach(3240, STLINK).argv())
                .containsExactly("usbip", "--tcp-port", "3240", "attach", "-r", "127.0.0.1", "-b", "1-3");
        assertThat(UsbipCommands.port().argv()).containsExactly("usbip", "port");
        assertThat(UsbipCommands.detach(41234, 0).argv())
                .containsExactly("usbip", "--tcp-port", "41234", "detach", "-p", "0");
        assertThat(UsbipCommands.listRemote(41234).toShell()).isEqualTo("usbip --tcp-port 41234 list -r 127.0.0.1");
    }

    @Test
    void pcSideCommands() {
        assertThat(UsbipCommands.bind(new BusId("3-2.4.1")).toShell()).isEqualTo("sudo usbip bind -b 3-2.4.1");
        assertThat(UsbipCommands.bindWithoutSudo(STLINK).sudoNonInteractive().argv())
                .containsExactly("sudo", "-n", "usbip", "bind", "-b", "1-3");
        assertThat(UsbipCommands.bindWindows(STLINK).toShell()).isEqualTo("usbipd bind --busid 1-3");
    }

    @Test
    void attachThroughSudoRendersForAnSshExec() {
        assertThat(UsbipCommands.attach(50000, new BusId("1-1.2"))
                        .sudoNonInteractive()
                        .toShell())
                .isEqualTo("sudo -n usbip --tcp-port 50000 attach -r 127.0.0.1 -b 1-1.2");
        assertThatThrownBy(() -> UsbipCommands.bind(STLINK).sudo()).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65536})
    void rejectsTunnelPortsOutOfRange(int port) {
        assertThatThrownBy(() -> UsbipCommands.attach(port, STLINK))
                .hasMessage("tunnel port must be a TCP port 1..65535, got " + port);
    }

    @Test
    void rejectsNegativeVhciPort() {
        assertThatThrownBy(() -> UsbipCommands.detach(3240, -1))
                .hasMessage("vhci port must be 0..65535 (see `usbip port`), got -1");
    }

    @Test
    void shellRenderingQuotesAnythingUnusual() {
        CommandLine cmd = CommandLine.of("echo", "a b", "it's", "$(id)", "plain-1.2:3", "A=b");

        assertThat(cmd.toShell()).isEqualTo("echo 'a b' 'it'\\''s' '$(id)' plain-1.2:3 'A=b'");
        assertThatThrownBy(() -> CommandLine.of("echo", "two\nlines")).hasMessageContaining("line break");
        assertThatThrownBy(() -> new CommandLine(List.of())).hasMessageContaining("at least the program name");
    }

    @Test
    void remoteForwardBindsLoopbackInsideTheWorkspace() {
        RemoteForward forward = UsbipCommands.forward(41234, UsbipdAddress.DEFAULT);

        assertThat(forward.bindHost()).isEqualTo("127.0.0.1");
        assertThat(forward.openSshSpec()).isEqualTo("127.0.0.1:41234:127.0.0.1:3240");
        assertThat(forward.openSshArguments())
                .containsExactly("-o", "ExitOnForwardFailure=yes", "-R", "127.0.0.1:41234:127.0.0.1:3240");
        assertThat(RemoteForward.loopback(0, UsbipdAddress.parse("[::1]:3240")).openSshSpec())
                .isEqualTo("127.0.0.1:0:[::1]:3240");
        assertThat(RemoteForward.loopback(3240, UsbipdAddress.parse("127.0.0.1:50240"))
                        .openSshSpec())
                .isEqualTo("127.0.0.1:3240:127.0.0.1:50240");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "*", "", "localhost", "::", "::1", "192.0.2.2"})
    void remoteForwardRefusesAnyOtherBindAddress(String bindHost) {
        assertThatThrownBy(() -> new RemoteForward(bindHost, 3240, UsbipdAddress.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the USB/IP forward must listen on 127.0.0.1 inside the workspace, not '" + bindHost
                        + "': USB/IP has no authentication, anyone who can reach the port could take the device");
    }
}
