package dev.hangar.provider.vm;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns what a guest wrote to its serial console into log lines for {@code hangar console --log}:
 * terminal escape sequences (ECMA-48 CSI and OSC, which systemd and getty write for colours and
 * titles) and other control characters removed, blank lines dropped. Shared by the VM providers (a
 * QEMU serial log file, KubeVirt's {@code guest-console-log} container). Pure and thread-safe.
 */
public final class SerialConsoleText {
    private static final Pattern ESCAPES =
            Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]|\u001B\\][^\u0007]*\u0007|\u001B.");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}&&[^\t]]");

    private SerialConsoleText() {}

    /**
     * @param text what the console carried (UTF-8 decoded), possibly the end of a longer log
     * @param lines at most this many lines are returned, the last ones
     * @param firstCut true when {@code text} starts inside a line (a tail cut by a byte limit): that
     *     partial first line is dropped
     * @return the last non-blank lines, oldest first, without escape sequences or control characters
     */
    public static List<String> lastLines(String text, int lines, boolean firstCut) {
        String plain = ESCAPES.matcher(text).replaceAll("");
        List<String> result = new ArrayList<>();
        String[] split = plain.split("\\R");
        for (int i = firstCut ? 1 : 0; i < split.length; i++) {
            String clean = CONTROL.matcher(split[i]).replaceAll("").strip();
            if (!clean.isEmpty()) result.add(clean);
        }
        return List.copyOf(result.subList(Math.max(0, result.size() - lines), result.size()));
    }
}
