package dev.hangar.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * {@code -o/--output table|json|yaml}, the one declaration of the option for every command that
 * prints a list ({@code @Mixin OutputOption output;}), with its rendering: {@code table} is the
 * command's own human view, {@code json}/{@code yaml} go through {@link Output#write}. Picocli sets the
 * field before the command runs; not thread-safe (like the command it belongs to).
 */
final class OutputOption {
    @Option(
            names = {"-o", "--output"},
            defaultValue = "table",
            paramLabel = "FORMAT",
            description = "table, json or yaml (default: ${DEFAULT-VALUE}).")
    Output.Format format = Output.Format.table;

    /** @return true for json or yaml: the command prints {@link #write} instead of its table */
    boolean machineReadable() {
        return format != Output.Format.table;
    }

    /**
     * Writes {@code value} (a record or a list of records) as json or yaml.
     *
     * @throws IllegalArgumentException when the format is table (the caller prints its own view)
     */
    void write(PrintWriter out, Object value) {
        Output.write(out, format, value);
    }
}
