package dev.hangar.cli;

import java.util.Locale;

/**
 * The one confirmation rule of commands that destroy data ({@code delete}, {@code reset}, {@code
 * lab delete}, {@code lab reset}): {@code --yes} skips the question; otherwise a person at a
 * terminal must answer {@code y} or {@code yes}, and without a terminal the command refuses, so a
 * script never destroys data by accident.
 */
final class Confirmation {
    private Confirmation() {}

    /**
     * Asks {@code prompt} at a terminal unless {@code yes}.
     *
     * @param action what would be done, for the refusal, e.g. {@code delete workspace fw-dev}
     * @param prompt the question, ending in {@code [y/N] }
     * @return true when confirmed (or {@code yes}); false for any other answer
     * @throws CliException USAGE when confirmation is needed and standard input is not a terminal
     */
    static boolean confirmed(CliContext ctx, boolean yes, String action, String prompt) {
        if (yes) return true;
        if (!ctx.terminal().interactive()) {
            throw new CliException(
                    ExitCodes.USAGE,
                    "refusing to " + action + " without confirmation: standard input is not a terminal; pass --yes");
        }
        String answer = ctx.terminal().readLine(prompt).strip().toLowerCase(Locale.ROOT);
        return answer.equals("y") || answer.equals("yes");
    }
}
