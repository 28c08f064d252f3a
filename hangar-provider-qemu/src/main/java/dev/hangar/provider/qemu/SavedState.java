package dev.hangar.provider.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Optional;

/**
 * A workspace's saved state on disk, as {@link VmSuspender} leaves it: {@link
 * WorkspaceDir#stateFile()} (memory and device state, or device state only) and, for a VM whose
 * RAM lives in a file (ADR 0020), {@link WorkspaceDir#ramFile()}. The state file exists only
 * complete (its rename is the commit point), so its presence is what "suspended" means.
 *
 * <p>Thread-safe (stateless); a caller that deletes must not overlap a suspend or resume of the
 * same workspace.
 */
final class SavedState {
    private SavedState() {}

    /**
     * Deletes the saved state and the RAM file, idempotently: for a cold stop, a reset (the memory
     * belongs to the old disk) and anything else after which the next start must boot.
     */
    static void discard(WorkspaceDir d) throws IOException {
        Files.deleteIfExists(d.stateFile());
        Files.deleteIfExists(d.ramFile());
    }

    /** @return whether the workspace has a complete saved state to resume from */
    static boolean suspended(WorkspaceDir d) {
        return Files.isRegularFile(d.stateFile());
    }

    /**
     * @return the size of the saved state in bytes, if there is one: the state file plus the RAM file
     *     at its full (apparent) size, the most disk it can take (it is sparse: the guest's untouched
     *     memory has no blocks; Java's file attributes do not give the allocated size)
     */
    static Optional<Long> stateBytes(WorkspaceDir d) {
        try {
            if (!suspended(d)) return Optional.empty();
            long ram = Files.isRegularFile(d.ramFile()) ? Files.size(d.ramFile()) : 0;
            return Optional.of(Files.size(d.stateFile()) + ram);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * @return {@code bytes} for people: {@code 1.2 GiB} from 1 GiB on, else {@code 812.5 MiB}, one
     *     decimal, binary units
     */
    static String describe(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
