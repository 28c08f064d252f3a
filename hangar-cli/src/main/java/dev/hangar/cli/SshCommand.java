package dev.hangar.cli;

import dev.hangar.api.client.HangarClient;
import dev.hangar.cli.sshconfig.SshConfigFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar ssh NAME [-- ssh args...]}: refreshes the ssh config quietly (like {@code hangar
 * config-ssh}), then runs the system {@code ssh} on {@code NAME.hangar} with this process's
 * terminal and returns ssh's exit code. A thin wrapper: everything goes through plain OpenSSH.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "ssh",
        description = {
            "Open an SSH session to a workspace: refreshes the ssh config (as config-ssh does),"
                    + " then runs 'ssh NAME.hangar'.",
            "Options before the first non-option of ARGS go before the host, the rest is the remote"
                    + " command, e.g. 'hangar ssh dev -- -R 3240:127.0.0.1:3240 uname -a'."
        })
final class SshCommand implements Callable<Integer> {
    /** Options of ssh(1) that take an argument (from its getopt string in OpenSSH 9). */
    private static final String OPTIONS_WITH_ARGUMENT = "bceilmopBDEFIJLOPQRSwW";

    private final CliContext ctx;

    @Parameters(index = "0", paramLabel = "NAME", description = "Workspace name (yours).")
    String name;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "ssh options, then a remote command.")
    List<String> args = new ArrayList<>();

    @Option(
            names = {"-i", "--identity"},
            paramLabel = "FILE",
            description = "Private key for ssh (as for config-ssh).")
    Path identity;

    SshCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public Integer call() {
        try (HangarClient client = ServerConnection.open(ctx)) {
            SshSetup.Planned p = SshSetup.plan(ctx, client, identity);
            if (!p.plan().upToDate()) SshSetup.apply(p);
        }
        List<String> command = command(name, args, ctx.userHome());
        Process ssh = start(new ProcessBuilder(command).inheritIO());
        try {
            return ssh.waitFor();
        } catch (InterruptedException e) {
            ssh.destroy();
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.ERROR, "interrupted while ssh was running");
        }
    }

    /**
     * Starts the system {@code ssh}.
     *
     * @param ssh a process builder whose command is an ssh command line
     * @return the running process
     * @throws CliException when ssh cannot run (the message says to install openssh-client)
     */
    static Process start(ProcessBuilder ssh) {
        try {
            return ssh.start();
        } catch (IOException e) {
            throw new CliException(
                    ExitCodes.ERROR,
                    "cannot run ssh (" + e.getMessage() + "); install the OpenSSH client (openssh-client)");
        }
    }

    /**
     * @param aliveInterval ssh's {@code ServerAliveInterval} (whole seconds, at least 1): a dead link
     *     is noticed after three unanswered probes ({@code ServerAliveCountMax=3})
     * @param timeout ssh's {@code ConnectTimeout} (whole seconds, at least 1)
     * @return the {@code -o} options that bound how long a background ssh (a tunnel, a shell the CLI
     *     drives) waits for its connection and keeps a dead one, mutable
     */
    static List<String> linkOptions(Duration aliveInterval, Duration timeout) {
        return new ArrayList<>(List.of(
                "-o",
                "ServerAliveInterval=" + Math.max(1, aliveInterval.toSeconds()),
                "-o",
                "ServerAliveCountMax=3",
                "-o",
                "ConnectTimeout=" + Math.max(1, timeout.toSeconds())));
    }

    /** @return {@code ssh [-F HOME/.ssh/config]}, mutable: {@code -F} as {@link #command} explains */
    static List<String> sshBinary(Path home) {
        List<String> cmd = new ArrayList<>(List.of("ssh"));
        if (!home.toAbsolutePath()
                .equals(Path.of(System.getProperty("user.home")).toAbsolutePath()))
            cmd.addAll(List.of("-F", home.resolve(".ssh").resolve("config").toString()));
        return cmd;
    }

    /**
     * @return the ssh command line: {@code ssh [-F HOME/.ssh/config] [leading options] NAME.hangar
     *     [remote command]}. {@code -F} is added only when {@code home} is not this JVM's {@code
     *     user.home}: ssh finds {@code ~} in the password database, so a redirected home (tests,
     *     {@code sudo -E}) must be named.
     */
    static List<String> command(String name, List<String> args, Path home) {
        if (!name.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)?"))
            throw new CliException(
                    ExitCodes.BAD_INPUT, "'" + name + "' is not a workspace name (a DNS-1123 label, e.g. dev)");
        List<String> cmd = sshBinary(home);
        int i = 0;
        while (i < args.size() && args.get(i).startsWith("-") && args.get(i).length() > 1) {
            String a = args.get(i++);
            if (a.equals("--")) break;
            cmd.add(a);
            // "-R spec" takes the next word; "-Rspec" and flag clusters like "-tt" do not.
            char last = a.charAt(a.length() - 1);
            if (a.length() == 2 && OPTIONS_WITH_ARGUMENT.indexOf(last) >= 0 && i < args.size()) cmd.add(args.get(i++));
        }
        cmd.add(name + SshConfigFiles.SUFFIX);
        cmd.addAll(args.subList(i, args.size()));
        return cmd;
    }
}
