package dev.hangar.cli;

import picocli.CommandLine.Option;

/** {@code --owner}: admins act on another user's workspace. */
final class OwnerOption {
    @Option(
            names = "--owner",
            paramLabel = "USER",
            defaultValue = "",
            description = "The workspace's owner (admins only; default: you).")
    String owner;
}
