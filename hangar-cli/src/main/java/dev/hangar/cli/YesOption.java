package dev.hangar.cli;

import picocli.CommandLine.Option;

/**
 * {@code -y/--yes} of the commands that destroy data ({@code delete}, {@code reset}, {@code lab
 * delete}, {@code lab reset}): run without asking. The rule itself is {@link Confirmation}'s.
 */
final class YesOption {
    @Option(
            names = {"-y", "--yes"},
            description = "Do not ask for confirmation (needed when standard input is not a terminal).")
    boolean yes;
}
