package dev.hangar.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CLI's exit codes, stable for scripts and listed in every command's {@code --help}. HTTP
 * statuses map onto them in {@link #forHttpStatus(int)}.
 */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** Any other failure (server error, a workspace that failed, a timeout while waiting). */
    public static final int ERROR = 1;
    /** Bad command line: unknown command or option, missing or malformed argument. */
    public static final int USAGE = 2;
    /** No answer from the server (refused, timed out): start it or fix HANGAR_URL. */
    public static final int UNREACHABLE = 3;
    /** The workspace, template or key does not exist (HTTP 404). */
    public static final int NOT_FOUND = 4;
    /** The request conflicts with the current state, e.g. a duplicate name (HTTP 409). */
    public static final int CONFLICT = 5;
    /** The server or the CLI rejected a value, e.g. a size outside the template's range (HTTP 400, 413, 415, 422, 431). */
    public static final int BAD_INPUT = 6;
    /** Missing, invalid or insufficient credentials (HTTP 401, 403). */
    public static final int AUTH = 7;

    private ExitCodes() {}

    /** @return the exit code for an HTTP error status */
    public static int forHttpStatus(int status) {
        return switch (status) {
            case 400, 413, 415, 422, 431 -> BAD_INPUT;
            case 401, 403 -> AUTH;
            case 404, 410 -> NOT_FOUND;
            case 409, 412 -> CONFLICT;
            default -> ERROR;
        };
    }

    /** @return code (as text) to description, in order, as picocli's {@code exitCodeList} wants it */
    public static Map<String, String> descriptions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(Integer.toString(OK), "ok");
        m.put(Integer.toString(ERROR), "error (server error, failed workspace, wait timed out)");
        m.put(Integer.toString(USAGE), "usage error (bad command, option or argument)");
        m.put(Integer.toString(UNREACHABLE), "server unreachable (start it, or set HANGAR_URL)");
        m.put(Integer.toString(NOT_FOUND), "not found");
        m.put(Integer.toString(CONFLICT), "conflict (e.g. name taken, wrong state)");
        m.put(Integer.toString(BAD_INPUT), "invalid input (rejected value)");
        m.put(Integer.toString(AUTH), "not authenticated or not allowed (see 'hangar login')");
        return m;
    }
}
