package dev.hangar.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --out DIR}: where commands that write cloud-init seed files put them. */
final class OutDirOption {
    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = ".",
            description = "Directory to write into (created if missing; default: the current directory).")
    Path dir;
}
