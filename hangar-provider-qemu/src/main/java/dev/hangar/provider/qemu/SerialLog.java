package dev.hangar.provider.qemu;

import dev.hangar.provider.vm.SerialConsoleText;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads the end of a workspace's serial console log. */
final class SerialLog {
    private static final int TAIL_BYTES = 16 * 1024;

    private SerialLog() {}

    /**
     * @return at most {@code lines} last non-blank lines of {@code log}, without terminal escape
     *     sequences or control characters; empty if the file is missing
     */
    static List<String> tail(Path log, int lines) {
        return tail(log, lines, TAIL_BYTES);
    }

    /**
     * Like {@link #tail(Path, int)}, reading at most the last {@code maxBytes} bytes of the file
     * (a first line cut by that limit is dropped).
     */
    static List<String> tail(Path log, int lines, int maxBytes) {
        if (!Files.isRegularFile(log)) return List.of();
        byte[] bytes;
        boolean cut;
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long start = Math.max(0, f.length() - maxBytes);
            cut = start > 0;
            bytes = new byte[(int) (f.length() - start)];
            f.seek(start);
            f.readFully(bytes);
        } catch (IOException e) {
            return List.of();
        }
        return SerialConsoleText.lastLines(new String(bytes, StandardCharsets.UTF_8), lines, cut);
    }

    /** @return true if the guest kernel's last words were a clean power-off ({@code reboot: Power down}) */
    static boolean endsWithPowerOff(Path log) {
        List<String> last = tail(log, 3);
        return last.stream().anyMatch(l -> l.contains("reboot: Power down"));
    }

    /** Moves a log larger than {@code maxBytes} to {@code <name>.1}, replacing an older one. */
    static void rotate(Path log, long maxBytes) throws IOException {
        if (Files.isRegularFile(log) && Files.size(log) > maxBytes) {
            Files.move(
                    log,
                    log.resolveSibling(log.getFileName() + ".1"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
