package dev.hangar.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * {@code -o/--output table|json|yaml}, the one declaration of the option for every command that
 * prints records ({@code @Mixin OutputOption output;}), with its one renderer for json and yaml
 * ({@link Output#write}).
 *
 * <p>Three states: {@code -o json}/{@code -o yaml} ({@link #machineReadable()}: the command prints
 * {@link #write}); {@code -o table} ({@link #tableRequested()}); and no {@code -o} at all, where the
 * command prints its own human view: a table for a list, a description for {@code show} and
 * {@code template show}, a message for {@code create}. Commands whose human view is a table treat
 * the last two alike.
 *
 * <p>Picocli sets the field before the command runs; not thread-safe (like the command it belongs
 * to).
 */
final class OutputOption {
    /** What {@code --help} says of {@code -o}: the same words, true for every command. */
    static final String DESCRIPTION =
            "table, json or yaml. Without it: a table for a list, a description for show, a message for create.";

    /** The format given with {@code -o}; null when the option was left out. */
    @Option(
            names = {"-o", "--output"},
            paramLabel = "FORMAT",
            description = DESCRIPTION)
    Output.Format format;

    /** @return true for json or yaml: the command prints {@link #write} instead of its own view */
    boolean machineReadable() {
        return format == Output.Format.json || format == Output.Format.yaml;
    }

    /** @return true when {@code -o table} was given (not when {@code -o} was left out) */
    boolean tableRequested() {
        return format == Output.Format.table;
    }

    /**
     * Writes {@code value} (a record or a list of records) as json or yaml.
     *
     * @throws IllegalArgumentException when the format is not json or yaml (the caller prints its
     *     own view)
     */
    void write(PrintWriter out, Object value) {
        if (!machineReadable()) throw new IllegalArgumentException("-o " + format + " is not json or yaml");
        Output.write(out, format, value);
    }
}
