package dev.hangar.cli;

import dev.hangar.api.client.ApiException;
import dev.hangar.api.client.ServerUnreachableException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a command's exception into one line {@code error: <detail>} on standard error (plus
 * {@code field: <name>} when the server named the offending field) and an {@link ExitCodes} exit
 * code. Stack traces only with {@code HANGAR_DEBUG=1}.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
    private final CliContext ctx;

    ErrorHandler(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = ctx.err();
        int code;
        switch (ex) {
            case ApiException e -> {
                err.println("error: " + e.detail());
                if (!e.field().isEmpty()) err.println("field: " + e.field());
                code = ExitCodes.forHttpStatus(e.status());
            }
            case ServerUnreachableException e -> {
                err.println("error: " + e.getMessage());
                code = ExitCodes.UNREACHABLE;
            }
            case CliException e -> {
                err.println("error: " + e.getMessage());
                code = e.exitCode();
            }
            default -> {
                String m = ex.getMessage();
                err.println(
                        "error: " + (m == null || m.isBlank() ? ex.getClass().getName() : m));
                code = ExitCodes.ERROR;
            }
        }
        if ("1".equals(ctx.env().get("HANGAR_DEBUG"))) ex.printStackTrace(err);
        err.flush();
        return code;
    }
}
