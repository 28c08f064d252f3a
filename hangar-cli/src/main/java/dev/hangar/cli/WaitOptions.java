package dev.hangar.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --wait} and {@code --timeout}, shared by commands that change a workspace. */
final class WaitOptions {
    @Option(names = "--wait", description = "Wait until the workspace reaches the requested state (or fails).")
    boolean wait;

    @Option(
            names = "--timeout",
            defaultValue = "10m",
            converter = Durations.Converter.class,
            paramLabel = "DURATION",
            description = "How long --wait waits, e.g. 90s, 10m (default: ${DEFAULT-VALUE}).")
    Duration timeout;
}
