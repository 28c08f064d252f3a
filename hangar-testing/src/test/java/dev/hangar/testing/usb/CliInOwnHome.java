package dev.hangar.testing.usb;

import dev.hangar.cli.CliContext;
import dev.hangar.cli.HangarCli;
import java.nio.file.Path;

/**
 * {@code main} of the real CLI ({@link HangarCli#run}, as {@code dev.hangar.cli.Main} does) with the
 * user's home taken from {@code HANGAR_TEST_USER_HOME}, so a test can run {@code hangar usb attach}
 * as a separate process (to send it SIGTERM like Ctrl-C does) without touching the real {@code
 * ~/.ssh}. {@code user.home} cannot be used for that: OpenSSH finds {@code ~} in the password
 * database, and the CLI only adds {@code -F} when the two differ.
 */
public final class CliInOwnHome {
    private CliInOwnHome() {}

    public static void main(String[] args) {
        CliContext s = CliContext.system();
        CliContext ctx = new CliContext(
                s.out(),
                s.err(),
                s.in(),
                s.terminal(),
                s.env(),
                Path.of(System.getenv("HANGAR_TEST_USER_HOME")),
                s.clock(),
                s.pollInterval());
        System.exit(HangarCli.run(ctx, args));
    }
}
