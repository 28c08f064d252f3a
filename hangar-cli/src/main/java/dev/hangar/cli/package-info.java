/**
 * The {@code hangar} command line: picocli commands over the typed API client ({@link
 * dev.hangar.api.client.HangarClient}). It never depends on the server at compile time, so the CLI
 * can be installed alone; {@code hangar server} finds the server reflectively.
 *
 * <p>Layout: {@link dev.hangar.cli.Main} (process entry) and {@link dev.hangar.cli.HangarCli} (the
 * command tree, error handling, {@link dev.hangar.cli.ExitCodes}); one {@code *Command} class per
 * command; {@link dev.hangar.cli.CliContext} carries streams, environment, home and clock so tests
 * run commands in-process; {@code ServerConnection} turns the config ({@code $HANGAR_HOME/cli.yaml},
 * {@code HANGAR_URL}, {@code HANGAR_TOKEN}) into a client; {@code Views}, {@code Table}, {@code
 * Output}, {@code Sizes} and {@code Age} render results; {@code Waiter} implements {@code --wait}.
 *
 * <p>Output contract: results on standard output; errors as one line {@code error: <detail>} (plus
 * {@code field: <name>} when the server named a field) on standard error; the exit code says the
 * kind of failure ({@link dev.hangar.cli.ExitCodes}).
 */
package dev.hangar.cli;
