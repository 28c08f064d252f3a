package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.PowerState;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a provider finds on disk from before: VMs a previous server left running (adopted from their
 * pidfiles and QMP sockets, all state being in files) and VMs that crashed while nobody watched.
 *
 * <p>Stateless; thread-safe.
 */
final class VmAdoption {
    private static final Logger LOG = LoggerFactory.getLogger(VmAdoption.class);

    private VmAdoption() {}

    /** Logs the VMs a previous server left running under {@code workspacesDir}; best effort. */
    static void logRunningVms(Path workspacesDir) {
        if (!Files.isDirectory(workspacesDir)) return;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(workspacesDir)) {
            for (Path p : dirs) {
                WorkspaceDir d = new WorkspaceDir(p);
                Optional<ProcessHandle> vm = QemuProcess.find(d);
                if (vm.isEmpty()) continue;
                String status;
                try (QmpClient client = QmpClient.connect(d.qmpSocket(), VmStopper.QMP_TIMEOUT)) {
                    status = client.execute("query-status").path("status").asText();
                } catch (IOException e) {
                    status = "QMP not answering: " + e.getMessage();
                }
                LOG.info(
                        "adopted running VM of workspace {} (pid {}, {})",
                        p.getFileName(),
                        vm.get().pid(),
                        status);
            }
        } catch (IOException e) {
            LOG.warn("cannot scan {} for running VMs: {}", workspacesDir, e.toString());
        }
    }

    /**
     * A server killed while QEMU was launching never wrote {@code launched-at}; the VM it left
     * running is adopted with its pidfile's time instead, so its ssh-ready timing is right. Best
     * effort.
     */
    static void adoptLaunchTime(WorkspaceDir d) {
        if (Files.exists(d.launchedAtFile())) return;
        try {
            long at = Files.getLastModifiedTime(d.pidFile()).toMillis();
            d.write(d.launchedAtFile(), Long.toString(at));
            LOG.info("adopted VM in {} launched by a previous server (at {})", d.path(), Instant.ofEpochMilli(at));
        } catch (IOException e) {
            LOG.debug("cannot record the launch time of the VM in {}: {}", d.path(), e.getMessage());
        }
    }

    /**
     * @return why the VM died, if it crashed: its pidfile outlived the process while the desired
     *     state is RUNNING and the provider did not stop it
     */
    static Optional<String> crashReason(WorkspaceDir d) {
        if (!Files.exists(d.pidFile())
                || d.desired().orElse(PowerState.STOPPED) != PowerState.RUNNING
                || Files.exists(d.cleanShutdownMarker())
                || QemuProcess.find(d).isPresent()
                || SerialLog.endsWithPowerOff(d.serialLog())) {
            return Optional.empty();
        }
        List<String> tail = SerialLog.tail(d.serialLog(), 8);
        String pid = d.read(d.pidFile()).orElse("?");
        return Optional.of("QEMU (pid " + pid + ") exited unexpectedly; last serial console lines: "
                + (tail.isEmpty() ? "(none)" : String.join(" | ", tail)));
    }
}
