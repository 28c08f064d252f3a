package dev.hangar.cli;

/**
 * A failure the CLI itself detected (a missing file, no token, a refused confirmation), printed
 * as {@code error: <message>} and ending the process with {@link #exitCode()}.
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    /**
     * @param exitCode one of {@link ExitCodes}
     * @param message one line saying what is wrong and what to do
     */
    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /** @return the process exit code, one of {@link ExitCodes} */
    int exitCode() {
        return exitCode;
    }
}
