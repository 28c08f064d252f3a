package dev.hangar.cli.sshconfig;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One file {@code hangar config-ssh} would write.
 *
 * @param path the file (for ~/.ssh/config: the target of a symlink, which is what gets written)
 * @param exists whether the file exists now
 * @param before its current text ({@code ""} when it does not exist)
 * @param after the text it would have
 */
public record FileChange(Path path, boolean exists, String before, String after) {
    public FileChange {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
    }

    /** @return true when writing would change the file (or create it) */
    public boolean changed() {
        return !exists || !before.equals(after);
    }

    /**
     * @return a unified diff ({@code diff -u} style, 3 lines of context) from the current to the new
     *     text, with {@code /dev/null} as the old name of a file to be created; {@code ""} when
     *     nothing changes
     */
    public String diff() {
        if (!changed()) return "";
        List<String> a = before.lines().toList();
        List<String> b = after.lines().toList();
        List<String> lines = UnifiedDiffUtils.generateUnifiedDiff(
                exists ? path.toString() : "/dev/null", path.toString(), a, DiffUtils.diff(a, b), 3);
        if (lines.isEmpty()) {
            // only the line separators differ (e.g. a missing final newline)
            return "--- " + path + "\n+++ " + path + "\n(line endings change)\n";
        }
        return String.join("\n", lines) + "\n";
    }
}
