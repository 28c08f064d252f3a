package dev.hangar.provider.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hangar.provider.spi.ProviderException;
import dev.hangar.provider.spi.ProviderListener;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Suspends a workspace's VM to a state file beside its overlay and resumes it from there.
 *
 * <p><b>How.</b> QMP {@code stop}, then {@code migrate} to {@code exec:cat > 'vm.state.partial'}
 * (QEMU migration to a file; Debian 12's QEMU 7.2 has no {@code file:} URI, which came with 8.2),
 * then the partial file is fsynced and renamed to {@code vm.state} only after {@code query-migrate}
 * said {@code completed}, and QEMU is quit. Resuming starts QEMU with the same command line plus
 * {@code -incoming defer} ({@link QemuCommandLine#INCOMING_DEFER}), turns on the {@code events}
 * migration capability, sends {@code migrate-incoming exec:cat 'vm.state.resuming'}, waits for the
 * {@code MIGRATION} event that ends the load (no polling) and sends {@code cont}. An internal snapshot ({@code snapshot-save} into the qcow2
 * overlay) was not chosen: it rewrites the overlay's metadata, so a kill in the middle puts the
 * user's disk at risk, and its state cannot be checked, measured or thrown away without touching
 * the disk; a separate file can, and its rename is the commit point. Completed migration flushes
 * and deactivates the disks before QEMU quits, so the overlay is exactly the disk the state
 * belongs to.
 *
 * <p><b>RAM in a file (ADR 0020).</b> A VM launched with {@link WorkspaceDir#ramFile()} (its
 * template says {@code stop: suspend}) migrates with the capability {@code x-ignore-shared} on both
 * sides: the state holds device state only, the memory stays in the file (fsynced before the rename
 * commits the state) and the resuming QEMU maps it instead of loading a copy.
 *
 * <p><b>Crash safety.</b> A start trusts only {@code vm.state}, which exists only complete. A kill
 * during the migration leaves {@code vm.state.partial} (deleted by the next attempt) and a paused
 * QEMU, which the next pass finds running: it then either finds the migration completed and the
 * state renamed (quits QEMU), or drops the partial file and suspends again (a migration that
 * completed but whose rename did not happen), or, when that fails, continues the VM and shuts it
 * down gracefully. The state is renamed
 * to {@code vm.state.resuming} before QEMU loads it, so once the VM ran again (and changed the disk)
 * the state is never loaded again. A state that fails to load (QEMU exits, or does not finish in
 * {@value #RESUME_TIMEOUT_SECONDS} s) is deleted and the caller boots the disk cold. The migration
 * stream carries no checksum for memory pages: a file corrupted in place inside a page loads, and
 * only the guest notices.
 *
 * <p><b>Clock.</b> The guest's clocks stand still while suspended; QEMU's emulated RTC ({@code -rtc
 * clock=host}, the default) reads the host's time again after the load. The test image has no
 * {@code qemu-guest-agent} for QMP's {@code guest-set-time}, and under TCG there is no kvmclock, so
 * the guest sets its own clock from the RTC: the seed installs the unit {@code hangar-rtc-clock}
 * ({@code CloudInitUserData.RTC_CLOCK_UNIT}, running {@code RTC_CLOCK_SCRIPT} from every boot on),
 * which steps the clock within half a second of the host's at most half a second after {@code
 * cont}. An image without it (or without an RTC in
 * sysfs) stays behind by the time suspended until its own time sync corrects it.
 *
 * <p>Thread-safe (stateless); calls for one workspace must not overlap.
 */
final class VmSuspender {
    private static final Logger LOG = LoggerFactory.getLogger(VmSuspender.class);
    static final int RESUME_TIMEOUT_SECONDS = 60;
    private static final Duration SUSPEND_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    /** Bytes per second: no throttle for a migration to a local file (QEMU's default is 128 MiB/s). */
    private static final long UNLIMITED_BANDWIDTH = 1L << 40;
    /** The migration states that end a load ({@code MIGRATION} events, QEMU's qapi/migration.json). */
    private static final Set<String> END_STATES = Set.of("completed", "failed", "cancelled");

    private final Clock clock;

    VmSuspender(Clock clock) {
        this.clock = clock;
    }

    /**
     * Saves the running VM's memory and device state to {@link WorkspaceDir#stateFile()} and makes
     * QEMU exit. Blocking (seconds: the state is about as large as the guest memory in use).
     * Reports {@code vm-suspended} and the {@code suspend} timing.
     *
     * @return true when the state file is complete and QEMU is gone; false when the suspend failed
     *     (reported as {@code suspend-failed}; the VM then runs again, continued, and nothing of the
     *     failed attempt remains), so the caller stops it the normal way
     * @throws IOException when the workspace's files cannot be written
     */
    boolean suspend(WorkspaceSpec spec, WorkspaceDir d, ProcessHandle vm, ProviderListener listener)
            throws IOException {
        Instant t0 = clock.instant();
        Files.deleteIfExists(d.statePartialFile());
        try (QmpClient qmp = QmpClient.connect(d.qmpSocket(), QMP_TIMEOUT)) {
            String status = qmp.execute("query-status").path("status").asText();
            if (status.equals("postmigrate") && Files.exists(d.stateFile())) {
                // An earlier call completed the state and was killed before quitting QEMU.
                quit(qmp, d, vm);
                reportSuspended(spec, d, t0, listener);
                return true;
            }
            Files.deleteIfExists(d.stateFile());
            if (status.equals("postmigrate")) {
                // An earlier call was killed between the completed migration and the rename: whether
                // that stream is whole is unknown, so it is dropped. cont reactivates the disks, which a
                // completed migration deactivated, and the suspend starts over.
                qmp.execute("cont");
                status = "running";
            }
            if (status.equals("running")) qmp.execute("stop");
            boolean fileRam = Files.exists(d.ramFile());
            if (fileRam) qmp.execute("migrate-set-capabilities", ignoreShared());
            qmp.execute("migrate-set-parameters", Map.of("max-bandwidth", UNLIMITED_BANDWIDTH));
            qmp.execute("migrate", Map.of("uri", "exec:cat > " + QemuCommandLine.shellQuote(d.statePartialFile())));
            String outcome = awaitMigration(qmp);
            if (!outcome.equals("completed")) throw new IOException("migration ended " + outcome);
            // The guest's memory in the RAM file reaches the disk before the state that needs it is
            // committed (the rename): after a host crash, a vm.state never comes with older memory.
            if (fileRam) force(d.ramFile());
            force(d.statePartialFile());
            Files.move(d.statePartialFile(), d.stateFile(), StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(d.path());
            quit(qmp, d, vm);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(d.statePartialFile());
            if (!Files.exists(d.stateFile())) {
                if (QemuProcess.find(d).isEmpty()) {
                    throw new ProviderException(
                            "QEMU of workspace " + spec.name() + " exited while suspending (" + e.getMessage()
                                    + "); its disk is kept and the next start boots it",
                            false,
                            e);
                }
                continueVm(d);
                listener.event("suspend-failed", "cannot save the VM's state (" + e.getMessage() + "); shutting down");
                return false;
            }
        }
        if (QemuProcess.find(d).isPresent()) {
            throw new ProviderException("QEMU of workspace " + spec.name() + " did not exit after suspending", false);
        }
        reportSuspended(spec, d, t0, listener);
        return true;
    }

    /**
     * Resumes the workspace from {@link WorkspaceDir#stateFile()} if there is one: renames it to
     * {@link WorkspaceDir#stateResumingFile()}, launches QEMU to load it, waits for the load and
     * continues the VM. Reports {@code vm-resumed} and the {@code resume} timing, or {@code
     * resume-failed} when the state did not load (QEMU is then gone and the state deleted: the caller
     * boots the disk, which the failed load never wrote to).
     *
     * @return whether the VM now runs from its saved state; false when there was no state or it
     *     failed to load
     * @throws ProviderException from the launcher when QEMU cannot be started at all (the state is
     *     then kept for the next attempt)
     * @throws IOException when the workspace's files cannot be written
     */
    boolean resume(WorkspaceSpec spec, WorkspaceDir d, BaseImage image, VmLauncher launcher, ProviderListener listener)
            throws IOException {
        if (!Files.exists(d.stateFile())) {
            Files.deleteIfExists(d.stateResumingFile());
            return false;
        }
        long bytes = Files.size(d.stateFile());
        Files.move(d.stateFile(), d.stateResumingFile(), StandardCopyOption.REPLACE_EXISTING);
        Instant t0 = clock.instant();
        try {
            launcher.resume(spec, d, image, listener);
        } catch (ProviderException | IOException e) {
            Files.move(d.stateResumingFile(), d.stateFile(), StandardCopyOption.REPLACE_EXISTING);
            throw e;
        }
        Instant launched = clock.instant();
        Loaded loaded = loadAndContinue(d, d.stateResumingFile());
        Files.deleteIfExists(d.stateResumingFile());
        if (loaded.failure().isPresent()) {
            QemuProcess.find(d).ifPresent(vm -> kill(d, vm));
            d.deleteRuntimeFiles();
            Files.deleteIfExists(d.ramFile()); // its memory belonged to the state that did not load
            listener.event(
                    "resume-failed",
                    "the saved state (" + SavedState.describe(bytes) + ") did not restore: "
                            + loaded.failure().get()
                            + "; booting the disk instead (a cold boot: what ran in memory is lost, the disk is"
                            + " kept)");
            return false;
        }
        Duration took = Duration.between(t0, clock.instant());
        listener.phaseTiming("resume-load", loaded.load());
        listener.phaseTiming("resume", took);
        listener.event(
                "vm-resumed",
                "VM of " + spec.name() + " resumed from " + SavedState.describe(bytes) + " of saved state in "
                        + took.toMillis()
                        + " ms (QEMU started " + Duration.between(t0, launched).toMillis() + " ms, QMP ready "
                        + loaded.qmp().toMillis() + " ms of which the greeting "
                        + loaded.greeting().toMillis() + " ms, state loaded "
                        + loaded.load().toMillis() + " ms (by QEMU's own event times "
                        + loaded.qemuLoad().toMillis() + " ms, its end event read "
                        + loaded.delivery().toMillis() + " ms after QEMU sent it), continued "
                        + loaded.cont().toMillis() + " ms); the"
                        + " guest sets its clock from the RTC within a second (a unit the seed installs)");
        return true;
    }

    /**
     * What {@link #loadAndContinue} did.
     *
     * @param failure why the state did not load, empty once the VM runs
     * @param qmp from connecting to QMP's socket to the end of {@code migrate-set-capabilities}
     *     (connect, greeting, {@code qmp_capabilities}, the capability): the round trips before the
     *     load, where a resume once stalled 2.1 s (issue #18), reported so a stall shows its step
     * @param greeting from connecting to QMP's greeting, a part of {@code qmp}
     * @param load from {@code migrate-incoming} to reading QEMU's {@code MIGRATION completed} event
     * @param qemuLoad the same load by QEMU's own event timestamps: from its {@code MIGRATION active}
     *     event (the stream's first bytes read) to its {@code completed} event; {@code load} minus
     *     this and {@code delivery} is the command's round trip and QEMU's set-up before reading
     * @param delivery from QEMU's timestamp on the {@code completed} event to this thread reading
     *     it: large only when the reading thread was scheduled late
     * @param cont the {@code cont} command
     */
    record Loaded(
            Optional<String> failure,
            Duration qmp,
            Duration greeting,
            Duration load,
            Duration qemuLoad,
            Duration delivery,
            Duration cont) {
        static Loaded failed(String why) {
            return new Loaded(
                    Optional.of(why),
                    Duration.ZERO,
                    Duration.ZERO,
                    Duration.ZERO,
                    Duration.ZERO,
                    Duration.ZERO,
                    Duration.ZERO);
        }
    }

    /**
     * Loads {@code state} into a QEMU started with {@link QemuCommandLine#INCOMING_DEFER} and
     * continues the VM: QMP {@code migrate-set-capabilities events}, {@code migrate-incoming
     * exec:cat '<state>'}, then waits for the {@code MIGRATION} event that ends the load (no polling)
     * and sends {@code cont}. With a {@link WorkspaceDir#ramFile()} (the VM was launched with it)
     * the capability {@code x-ignore-shared} is on too: the stream then has no RAM pages, the guest's
     * memory is the file QEMU mapped. A state that does not load makes QEMU 7.2 exit; that and a
     * load not finished within {@value #RESUME_TIMEOUT_SECONDS} s are failures. Blocking.
     */
    static Loaded loadAndContinue(WorkspaceDir d, Path state) {
        long connecting = System.nanoTime();
        try (QmpClient qmp = QmpClient.connect(d.qmpSocket(), QMP_TIMEOUT)) {
            qmp.execute(
                    "migrate-set-capabilities",
                    Map.of("capabilities", List.of(Map.of("capability", "events", "state", true))));
            if (Files.exists(d.ramFile())) qmp.execute("migrate-set-capabilities", ignoreShared());
            long t0 = System.nanoTime();
            Duration ready = Duration.ofNanos(t0 - connecting);
            Instant deadline = Instant.now().plusSeconds(RESUME_TIMEOUT_SECONDS);
            qmp.execute("migrate-incoming", Map.of("uri", QemuCommandLine.incomingUri(state)));
            // "active" comes first unless the load failed at once; its timestamp starts QEMU's own figure
            QmpClient.Event event =
                    qmp.awaitEvent("MIGRATION", data -> isActiveOrEnd(data), Duration.between(Instant.now(), deadline));
            Instant active = event.sent();
            if (event.data().path("status").asText().equals("active")) {
                event = qmp.awaitEvent(
                        "MIGRATION",
                        data -> END_STATES.contains(data.path("status").asText()),
                        Duration.between(Instant.now(), deadline));
            }
            Duration load = Duration.ofNanos(System.nanoTime() - t0);
            String status = event.data().path("status").asText();
            if (!status.equals("completed")) return Loaded.failed("QEMU's load ended with migration status " + status);
            long t1 = System.nanoTime();
            qmp.execute("cont");
            return new Loaded(
                    Optional.empty(),
                    ready,
                    qmp.greetingTook(),
                    load,
                    Duration.between(active, event.sent()),
                    event.delivery(),
                    Duration.ofNanos(System.nanoTime() - t1));
        } catch (IOException e) {
            return Loaded.failed(
                    QemuProcess.find(d).isEmpty()
                            ? "QEMU exited while loading it (" + e.getMessage() + ")"
                            : e.getMessage());
        }
    }

    private static boolean isActiveOrEnd(JsonNode data) {
        String status = data.path("status").asText();
        return status.equals("active") || END_STATES.contains(status);
    }

    /**
     * The migration capability that leaves RAM blocks mapped {@code share=on} out of the stream, on
     * both sides ({@code x-ignore-shared}, QEMU 4.0 on; still {@code x-}-prefixed, i.e. experimental,
     * in 7.2 and in current sources: a QEMU that drops it fails the command, the suspend then fails
     * and the VM shuts down normally; ADR 0020).
     */
    private static Map<String, Object> ignoreShared() {
        return Map.of("capabilities", List.of(Map.of("capability", "x-ignore-shared", "state", true)));
    }

    private void reportSuspended(WorkspaceSpec spec, WorkspaceDir d, Instant t0, ProviderListener listener)
            throws IOException {
        d.write(d.cleanShutdownMarker(), clock.instant().toString());
        d.deleteRuntimeFiles();
        Duration took = Duration.between(t0, clock.instant());
        listener.phaseTiming("suspend", took);
        listener.event(
                "vm-suspended",
                "VM of " + spec.name() + " suspended: "
                        + (Files.exists(d.ramFile())
                                ? "device state saved to " + d.stateFile().getFileName() + " ("
                                        + SavedState.describe(Files.size(d.stateFile())) + "), memory kept in "
                                        + d.ramFile().getFileName() + " ("
                                        + SavedState.describe(Files.size(d.ramFile()))
                                        + ")"
                                : "memory and device state saved to "
                                        + d.stateFile().getFileName() + " ("
                                        + SavedState.describe(Files.size(d.stateFile()))
                                        + ")")
                        + " in " + took.toMillis() + " ms; QEMU exited");
    }

    /** Polls {@code query-migrate} until it ends; @return its final status */
    private static String awaitMigration(QmpClient qmp) throws IOException {
        long deadline = System.nanoTime() + SUSPEND_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode info = qmp.execute("query-migrate");
            String status = info.path("status").asText();
            switch (status) {
                case "completed" -> {
                    return status;
                }
                case "failed", "cancelled" -> {
                    return status
                            + (info.has("error-desc")
                                    ? ": " + info.path("error-desc").asText()
                                    : "");
                }
                default -> pause();
            }
        }
        qmp.execute("migrate_cancel");
        return "unfinished after " + SUSPEND_TIMEOUT.toSeconds() + " s (cancelled)";
    }

    private static void quit(QmpClient qmp, WorkspaceDir d, ProcessHandle vm) throws IOException {
        qmp.execute("quit");
        if (!QemuProcess.awaitExit(vm, d, KILL_TIMEOUT)) kill(d, vm);
    }

    private static void kill(WorkspaceDir d, ProcessHandle vm) {
        vm.destroyForcibly();
        QemuProcess.awaitExit(vm, d, KILL_TIMEOUT);
    }

    /** Lets a VM whose suspend failed run again (also after a completed migration: cont reactivates the disks). */
    private static void continueVm(WorkspaceDir d) {
        try (QmpClient qmp = QmpClient.connect(d.qmpSocket(), QMP_TIMEOUT)) {
            String status = qmp.execute("query-status").path("status").asText();
            if (!status.equals("running")) qmp.execute("cont");
        } catch (IOException e) {
            LOG.warn("cannot continue the VM in {} after a failed suspend: {}", d.path(), e.toString());
        }
    }

    private static void force(Path file) throws IOException {
        try (FileChannel f = FileChannel.open(file, StandardOpenOption.WRITE)) {
            f.force(true);
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        } catch (IOException e) {
            LOG.debug("cannot fsync {}: {}", dir, e.toString());
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException("interrupted while suspending or resuming", false, e);
        }
    }
}
