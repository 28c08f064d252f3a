package dev.hangar.cli;

import java.io.IOException;

/**
 * Runs a check of local input (files, addresses, names) for the commands that work without a
 * server, turning its {@link IllegalArgumentException} into a {@link CliException} with exit code
 * {@link ExitCodes#BAD_INPUT} and its {@link IOException} into one with {@link ExitCodes#ERROR}.
 */
final class LocalInput {
    /** A check that may read files. */
    @FunctionalInterface
    interface Check<T> {
        T run() throws IOException;
    }

    private LocalInput() {}

    /** @return what {@code check} returns */
    static <T> T check(Check<T> check) {
        try {
            return check.run();
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.BAD_INPUT, e.getMessage());
        } catch (IOException e) {
            throw new CliException(ExitCodes.ERROR, e.getMessage());
        }
    }

    /** @return a usage error (exit {@link ExitCodes#USAGE}) saying {@code message} */
    static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, message);
    }
}
