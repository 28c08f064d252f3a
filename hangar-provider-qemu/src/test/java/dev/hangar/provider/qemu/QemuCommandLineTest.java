package dev.hangar.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hangar.provider.spi.LabNetwork;
import dev.hangar.provider.vm.LabNic;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class QemuCommandLineTest {
    private static final Path DIR = Path.of("/var/lib/hangar/qemu/workspaces/ws-1");

    private static String joined(List<String> args) {
        return String.join(" ", args);
    }

    @Test
    void tcgKernelBootVm() {
        List<String> args = new QemuCommandLine(
                        Path.of("/usr/bin/qemu-system-x86_64"),
                        Accelerator.TCG,
                        "dev",
                        2,
                        2048,
                        new BaseImage.Boot.Kernel(
                                Path.of("/img/vmlinuz"), Path.of("/img/initrd.img"), "root=/dev/vda rw"),
                        DIR,
                        40022,
                        true)
                .args();

        assertThat(args.getFirst()).isEqualTo("/usr/bin/qemu-system-x86_64");
        assertThat(joined(args))
                .contains("-accel tcg -smp 2 -m 2048M")
                .contains("-nodefaults -no-user-config -display none")
                .contains("-daemonize -pidfile " + DIR + "/qemu.pid")
                .contains("-drive file=" + DIR + "/overlay.qcow2,format=qcow2,if=virtio")
                .contains("-drive file=" + DIR + "/seed.iso,format=raw,if=virtio,readonly=on")
                .contains("-kernel /img/vmlinuz -initrd /img/initrd.img")
                .contains("-netdev user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:40022-:22")
                .contains("-chardev socket,id=console,path=" + DIR + "/console.sock,server=on,wait=off,logfile=" + DIR
                        + "/serial.log,logappend=on -serial chardev:console")
                .contains("-chardev socket,id=qmp,path=" + DIR
                        + "/qmp.sock,server=on,wait=off -mon chardev=qmp,mode=control")
                .doesNotContain("-cpu host");
        // The kernel command line is one argument, however many words it has.
        assertThat(args.get(args.indexOf("-append") + 1)).isEqualTo("root=/dev/vda rw");
    }

    @Test
    void kvmFirmwareBootVmWithOpenNetwork() {
        List<String> args = new QemuCommandLine(
                        Path.of("qemu-system-x86_64"),
                        Accelerator.KVM,
                        "web",
                        4,
                        8192,
                        new BaseImage.Boot.Firmware(),
                        DIR,
                        2222,
                        false)
                .args();

        assertThat(joined(args))
                .contains("-accel kvm -cpu host -smp 4 -m 8192M")
                .contains("-netdev user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22")
                .doesNotContain("-kernel", "restrict=on");
    }

    @Test
    void commasInPathsAreDoubledAsQemuRequires() {
        List<String> args = new QemuCommandLine(
                        Path.of("qemu-system-x86_64"),
                        Accelerator.TCG,
                        "x",
                        1,
                        512,
                        new BaseImage.Boot.Firmware(),
                        Path.of("/data/a,b"),
                        2222,
                        false)
                .args();

        assertThat(joined(args)).contains("file=/data/a,,b/overlay.qcow2,format=qcow2");
    }

    @Test
    void aLabMemberGetsASecondVirtioNicOnItsSegmentsLoopbackMulticastGroup() {
        LabNetwork lab = new LabNetwork("lab:k8s-1", "10.213.4.11/24", Map.of("k8s-1-master-1", "10.213.4.11"));
        LabSegment segment = LabSegment.of("ws-1", lab);
        List<String> args = new QemuCommandLine(
                        Path.of("qemu-system-x86_64"),
                        Accelerator.TCG,
                        "k8s-1-master-1",
                        1,
                        512,
                        new BaseImage.Boot.Firmware(),
                        DIR,
                        2222,
                        true,
                        List.of(segment),
                        0)
                .args();

        String joined = joined(args);
        assertThat(joined)
                .contains("-netdev user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:2222-:22 -device"
                        + " virtio-net-pci,netdev=net0,mac=52:54:00:12:34:56 -netdev socket,id=lab0,mcast="
                        + segment.group() + ":" + segment.port() + ",localaddr=127.0.0.1 -device"
                        + " virtio-net-pci,netdev=lab0,mac=" + LabNic.macAddress("ws-1"));
        assertThat(segment.group()).matches("239\\.19[2-5]\\.\\d{1,3}\\.\\d{1,3}");
        // never a NIC that reaches the host's network: no tap, bridge or non-loopback address
        assertThat(joined).doesNotContain("tap", "bridge", "vde");
        assertThat(args.stream().filter(a -> a.startsWith("virtio-net-pci"))).hasSize(2);
    }

    @Test
    void membersOfOneSegmentShareGroupAndPortAndOtherSegmentsDoNot() {
        LabNetwork a = new LabNetwork("lab:a", "10.213.4.11/24", Map.of("a-1", "10.213.4.11"));
        LabNetwork a2 = new LabNetwork("lab:a", "10.213.4.12/24", Map.of("a-2", "10.213.4.12"));
        LabSegment first = LabSegment.of("ws-1", a);
        LabSegment second = LabSegment.of("ws-2", a2);

        assertThat(second.group()).isEqualTo(first.group());
        assertThat(second.port()).isEqualTo(first.port());
        assertThat(second.mac()).isNotEqualTo(first.mac());
        assertThat(LabSegment.of("ws-1", a)).as("deterministic").isEqualTo(first);
        List<String> endpoints = IntStream.range(0, 200)
                .mapToObj(i -> LabSegment.of("ws", new LabNetwork("lab:" + i, "10.0.0.1/24", Map.of("x", "10.0.0.1"))))
                .peek(s -> assertThat(s.port()).isBetween(LabSegment.FIRST_PORT, LabSegment.LAST_PORT))
                .map(s -> s.group() + ":" + s.port())
                .distinct()
                .toList();
        assertThat(endpoints).hasSize(200);
    }

    @Test
    void eachClaimedPciDeviceIsPassedThroughWithVfioPci() {
        QemuCommandLine plain = new QemuCommandLine(
                Path.of("qemu-system-x86_64"),
                Accelerator.KVM,
                "cuda",
                4,
                8192,
                new BaseImage.Boot.Firmware(),
                DIR,
                2222,
                false,
                List.of(),
                0);
        List<String> args = plain.withPciPassthrough(List.of("0000:01:00.0", "0000:3b:00.1"))
                .args();

        assertThat(joined(args)).contains("-device vfio-pci,host=0000:01:00.0 -device vfio-pci,host=0000:3b:00.1");
        assertThat(args.stream().filter(a -> a.startsWith("vfio-pci"))).hasSize(2);
        assertThat(joined(plain.args())).doesNotContain("vfio-pci");
        assertThat(plain.withPciPassthrough(List.of()).args()).isEqualTo(plain.args());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> plain.withPciPassthrough(List.of("01:00.0,x-vga=on")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PCI address '01:00.0,x-vga=on' is not of the form 0000:01:00.0");
    }

    @Test
    void fileBackedRamIsASharedMemoryBackendFileInTheWorkspaceDirectoryAsTheMachinesMemory() {
        QemuCommandLine anonymous = new QemuCommandLine(
                Path.of("/usr/bin/qemu-system-x86_64"),
                Accelerator.TCG,
                "dev",
                2,
                1536,
                new BaseImage.Boot.Firmware(),
                DIR,
                40022,
                true);
        List<String> args = anonymous.withFileBackedRam(true).args();

        assertThat(joined(args))
                .contains("-machine q35,memory-backend=ram0 ")
                .contains("-m 1536M -object memory-backend-file,id=ram0,size=1536M,mem-path=" + DIR
                        + "/vm.ram,share=on ");
        assertThat(joined(anonymous.args())).contains("-machine q35 ").doesNotContain("memory-backend");
        assertThat(anonymous.withFileBackedRam(false).args()).isEqualTo(anonymous.args());
        // a comma in the data directory stays one path in QEMU's option syntax
        assertThat(joined(new QemuCommandLine(
                                Path.of("/usr/bin/qemu-system-x86_64"),
                                Accelerator.TCG,
                                "dev",
                                1,
                                512,
                                new BaseImage.Boot.Firmware(),
                                Path.of("/data/a,b/ws"),
                                40022,
                                true)
                        .withFileBackedRam(true)
                        .args()))
                .contains("mem-path=/data/a,,b/ws/vm.ram,share=on");
    }

    @Test
    void secretsBecomeFwCfgEntriesAndNoDisk() {
        List<String> args = new QemuCommandLine(
                        Path.of("/usr/bin/qemu-system-x86_64"),
                        Accelerator.TCG,
                        "dev",
                        2,
                        2048,
                        new BaseImage.Boot.Firmware(),
                        DIR,
                        40022,
                        true,
                        List.of(),
                        2)
                .args();
        assertThat(joined(args))
                .contains("-fw_cfg name=opt/dev.hangar/s0,file=" + DIR + "/secrets/s0")
                .contains("-fw_cfg name=opt/dev.hangar/s1,file=" + DIR + "/secrets/s1")
                .contains("-fw_cfg name=opt/dev.hangar/names,file=" + DIR + "/secrets/names");
        assertThat(args.stream().filter(a -> a.equals("-drive"))).hasSize(2); // overlay and seed only
        // every fw_cfg name fits QEMU's 55-byte limit
        args.stream()
                .filter(a -> a.startsWith("name="))
                .forEach(a -> assertThat(a.substring(5, a.indexOf(','))).hasSizeLessThanOrEqualTo(55));
        assertThat(joined(new QemuCommandLine(
                                Path.of("/usr/bin/qemu-system-x86_64"),
                                Accelerator.TCG,
                                "dev",
                                2,
                                2048,
                                new BaseImage.Boot.Firmware(),
                                DIR,
                                40022,
                                true)
                        .args()))
                .doesNotContain("-fw_cfg");
    }

    @Test
    void theLaunchFilesAreOwnerOnlyAndGoAway(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        var secrets = List.of(
                new dev.hangar.provider.spi.SecretFile(
                        "github-token", "qemu-unit-value".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                new dev.hangar.provider.spi.SecretFile("n2", new byte[] {1}));
        assertThat(GuestSecrets.write(dir, secrets)).isEqualTo(2);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                        java.nio.file.Files.getPosixFilePermissions(GuestSecrets.dir(dir))))
                .isEqualTo("rwx------");
        for (Path f : List.of(GuestSecrets.value(dir, 0), GuestSecrets.value(dir, 1), GuestSecrets.names(dir)))
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                            java.nio.file.Files.getPosixFilePermissions(f)))
                    .isEqualTo("rw-------");
        assertThat(java.nio.file.Files.readString(GuestSecrets.value(dir, 0))).isEqualTo("qemu-unit-value");
        assertThat(java.nio.file.Files.readString(GuestSecrets.names(dir))).isEqualTo("github-token\nn2\n");
        new WorkspaceDir(dir).deleteRuntimeFiles(); // what launch and stop do
        assertThat(GuestSecrets.dir(dir)).doesNotExist();
        assertThat(GuestSecrets.write(dir, List.of())).isZero();
        assertThat(GuestSecrets.dir(dir)).doesNotExist();
    }

    @Test
    void incomingReadsTheStateFileThroughOneQuotedShellWord() {
        assertThat(QemuCommandLine.INCOMING_DEFER).containsExactly("-incoming", "defer");
        assertThat(QemuCommandLine.incomingUri(Path.of("/data/ws/vm.state.resuming")))
                .isEqualTo("exec:cat '/data/ws/vm.state.resuming'");
        // a quote in the path cannot end the word: ' is written as '\''
        assertThat(QemuCommandLine.incomingUri(Path.of("/d/it's; rm -rf x/vm.state")))
                .isEqualTo("exec:cat '/d/it'\\''s; rm -rf x/vm.state'");
    }
}
