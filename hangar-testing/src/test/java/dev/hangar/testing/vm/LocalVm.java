package dev.hangar.testing.vm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.provider.qemu.QemuProviderFactory;
import dev.hangar.server.SshGatewayHook;
import dev.hangar.testfixtures.GuestSsh;
import dev.hangar.testfixtures.LeftoverQemuSweep;
import dev.hangar.testfixtures.TestImage;
import dev.hangar.testing.TestControlPlane;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Shared pieces of the VM integration tests: a control plane, a template, real ssh, QEMU processes (the image: {@link TestImage}). */
public final class LocalVm {
    private LocalVm() {}

    /**
     * The control plane the VM ITs share: real QEMU under TCG (the host's /dev/kvm runs only PVM
     * guests), a 5 s ssh probe timeout, the real SSH gateway on an ephemeral port, HANGAR_HOME kept
     * for the test's own checks. Callers add templates and start it.
     *
     * @param qemuSettings more {@code providers.qemu.*} settings (e.g. {@code restrict-network})
     */
    public static TestControlPlane.Builder controlPlane(Path home, Map<String, String> qemuSettings) {
        Map<String, String> qemu = new TreeMap<>(Map.of("accelerator", "tcg", "ssh-probe-timeout-seconds", "5"));
        qemu.putAll(qemuSettings);
        return TestControlPlane.builder()
                .home(home)
                .keepHome()
                .addProviderFactory(new QemuProviderFactory())
                .gateway(new SshGatewayHook())
                .configure(c -> c.withProvider("qemu", Map.copyOf(qemu)).withGateway(Map.of("listen-port", "0")));
    }

    /**
     * A new ed25519 client key without passphrase, made by the real {@code ssh-keygen}, in a new
     * directory {@code keys} (mode 0700) under {@code tmp}; the public key beside it ({@code .pub}).
     *
     * @return the private key's path, {@code tmp/keys/id_ed25519}
     */
    static Path clientKey(Path tmp) throws IOException, InterruptedException {
        Path keys = Files.createDirectory(
                tmp.resolve("keys"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path clientKey = keys.resolve("id_ed25519");
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", clientKey.toString()));
        return clientKey;
    }

    /**
     * A new HANGAR_HOME for a VM IT's server, claimed for {@link LeftoverQemuSweep} (a later run
     * stops the QEMU processes a killed run left there), with {@link #TEMPLATE} as {@code
     * templates/vm.yaml}. Under /tmp with a short name: QEMU's unix sockets live under the home and
     * their paths must stay under 108 bytes.
     *
     * @param prefix the directory name's prefix, two or three letters naming the test
     */
    static Path home(String prefix) throws IOException {
        Path home = Files.createTempDirectory(Path.of("/tmp"), prefix);
        LeftoverQemuSweep.claim(home);
        Files.createDirectories(home.resolve("templates"));
        Files.writeString(home.resolve("templates/vm.yaml"), TEMPLATE);
        return home;
    }

    /** A template on the imported test image (1 CPU, 1 GiB, 4 GiB disk). */
    public static final String TEMPLATE = """
            name: vm
            description: Debian 12 test VM (real QEMU)
            provider: qemu
            image: test-debian
            defaults: {cpus: 1, memoryMiB: 1024, diskGiB: 4}
            limits:
              cpus: {min: 1, max: 2}
              memoryMiB: {min: 512, max: 2048}
              diskGiB: {min: 4, max: 8}
            settings: {}
            """;

    /**
     * Real OpenSSH to the VM's loopback forward ({@code <wsDir>/ssh-port}); known_hosts holds only
     * the pinned host key from the API, with strict checking. Retries for up to 3 minutes because
     * sshd answers before cloud-init has created the user on first boot.
     *
     * @return the command's stdout, stripped
     */
    static String ssh(Path key, Path knownHosts, Path wsDir, JsonNode ws, String command) throws IOException {
        int port = Integer.parseInt(Files.readString(wsDir.resolve("ssh-port")).strip());
        return GuestSsh.pinned(
                        port,
                        ws.path("owner").asText(),
                        key,
                        knownHosts,
                        ws.path("hostKey").asText())
                .awaitSuccess(command, Duration.ofMinutes(3))
                .strip();
    }

    /** Runs {@code cmd} with inherited I/O and asserts exit 0 within 30 s. */
    static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd)).isZero();
    }

    /** @return live qemu-system processes whose command line names {@code wsDir} */
    static List<ProcessHandle> qemuProcesses(Path wsDir) {
        return ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").contains(wsDir.toString()))
                .filter(h -> h.info().command().orElse("").contains("qemu-system"))
                .filter(ProcessHandle::isAlive)
                .toList();
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
