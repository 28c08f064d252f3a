package dev.hangar.cli;

import dev.hangar.boards.Inputs;
import java.util.ArrayList;
import java.util.IllegalFormatException;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Which boards a command is for: one ({@code --hostname H}) or a numbered set ({@code --count N
 * --hostname-pattern bee42-crew-01-%03d [--first-number 1]}). Shared by {@code hangar board flash}
 * and {@code hangar board inventory}, so the same options name the same boards in both. Picocli sets
 * the fields; not thread-safe.
 */
final class BoardNames {
    @Option(names = "--hostname", paramLabel = "NAME", description = "The board's host name (one board).")
    String hostname;

    @Option(names = "--count", paramLabel = "N", description = "How many boards (with --hostname-pattern).")
    Integer count;

    @Option(
            names = "--hostname-pattern",
            paramLabel = "FORMAT",
            description = "Host names of a set of boards, a printf format of the board's number,"
                    + " e.g. bee42-crew-01-%%03d.")
    String pattern;

    @Option(
            names = "--first-number",
            paramLabel = "N",
            defaultValue = "1",
            description = "Number of the first board of the set (default: ${DEFAULT-VALUE}).")
    int first;

    /** Largest set: more is almost certainly a typo. */
    static final int MAX_COUNT = 999;

    /**
     * @param implied the count when {@code --count} is left out (the number of images given to flash,
     *     else 1)
     * @return the validated host names, in board order
     */
    List<String> names(int implied) {
        int n = count == null ? implied : count;
        if (n < 1 || n > MAX_COUNT) throw LocalInput.usage("--count " + n + ": give 1 to " + MAX_COUNT);
        if (hostname != null && pattern != null) {
            throw LocalInput.usage("give --hostname for one board or --hostname-pattern for a set, not both");
        }
        if (pattern == null) {
            if (hostname == null) {
                throw LocalInput.usage("give --hostname NAME, or --count N --hostname-pattern FORMAT for a set");
            }
            if (n != 1) {
                throw LocalInput.usage("--hostname names one board, but there are " + n
                        + "; give --hostname-pattern FORMAT (e.g. " + hostname + "-%03d) instead");
            }
            return List.of(LocalInput.check(() -> Inputs.hostname("--hostname", hostname)));
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = format(first + i);
            names.add(LocalInput.check(() -> Inputs.hostname("--hostname-pattern", name)));
        }
        if (n > 1 && names.get(0).equals(names.get(1))) {
            throw LocalInput.usage("--hostname-pattern '" + pattern + "' gives every board the same name; put the"
                    + " board number in it, e.g. " + pattern + "-%03d");
        }
        return names;
    }

    private String format(int number) {
        try {
            return String.format(Locale.ROOT, pattern, number);
        } catch (IllegalFormatException e) {
            throw LocalInput.usage("--hostname-pattern '" + pattern + "' is not a format for the board number; use"
                    + " one %d conversion, e.g. bee42-crew-01-%03d");
        }
    }
}
