package dev.hangar.cli;

import dev.hangar.api.DeviceView;
import dev.hangar.api.QuotaLimitsView;
import dev.hangar.api.QuotaView;
import dev.hangar.api.client.HangarClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hangar quota show [USER]} (anyone: their own; admins and auditors: anyone) and {@code
 * hangar quota set USER [--running N] [--cpus N] [--memory SIZE] [--disk SIZE] [--device NAME=N]...
 * [--reset]} (admins). Every option also takes {@code role} ({@code --device NAME=role}), which drops
 * that field's override.
 */
@Command(
        mixinStandardHelpOptions = true,
        name = "quota",
        aliases = "quotas",
        description = "Show quotas (limits and current use) and set per-user overrides (admins).",
        subcommands = {QuotaCommand.Show.class, QuotaCommand.Set.class})
final class QuotaCommand {

    /** Value of a {@code set} option that removes that field's override (the role's limit applies). */
    static final String ROLE = "role";

    /** {@code hangar quota show [USER]}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "show",
            description = "Show a user's quota: each limit, where it comes from and the current use.")
    static final class Show implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", arity = "0..1", paramLabel = "USER", description = "Default: yourself.")
        String user = "me";

        @Mixin
        OutputOption output;

        Show(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            try (HangarClient client = ServerConnection.open(ctx)) {
                QuotaView q = client.admin().quota(user);
                if (output.machineReadable()) output.write(ctx.out(), q);
                else print(q);
                return ExitCodes.OK;
            }
        }

        private void print(QuotaView q) {
            ctx.out().println("quota of " + q.user() + " (" + q.role() + ")");
            Table t = new Table("LIMIT", "USED", "MAX", "FROM");
            QuotaLimitsView o = q.override() == null ? QuotaLimitsView.NONE : q.override();
            t.row(
                    "running",
                    Long.toString(q.used().running()),
                    max(q.effective().running(), n -> Long.toString(n)),
                    from(o.running(), q));
            t.row(
                    "cpus",
                    Long.toString(q.used().cpus()),
                    max(q.effective().cpus(), n -> Long.toString(n)),
                    from(o.cpus(), q));
            t.row(
                    "memory",
                    q.used().memoryMiB() == 0 ? "0" : Sizes.formatMiB(q.used().memoryMiB()),
                    max(q.effective().memoryMiB(), Sizes::formatMiB),
                    from(o.memoryMiB(), q));
            t.row(
                    "disk",
                    q.used().diskGiB() == 0 ? "0" : Sizes.formatGiB(q.used().diskGiB()),
                    max(q.effective().diskGiB(), Sizes::formatGiB),
                    from(o.diskGiB(), q));
            for (String device : deviceNames(q)) {
                Integer limit = count(q.effective().devices(), device);
                Integer used = count(q.used().devices(), device);
                t.row(
                        "device " + device,
                        Integer.toString(used == null ? 0 : used),
                        limit == null ? "unlimited" : Integer.toString(limit),
                        from(count(o.devices(), device), q));
            }
            t.print(ctx.out());
        }

        /** @return the devices that have a limit or are in use, by name */
        private static java.util.SortedSet<String> deviceNames(QuotaView q) {
            java.util.SortedSet<String> names = new java.util.TreeSet<>();
            q.effective().devices().forEach(d -> names.add(d.name()));
            q.used().devices().forEach(d -> names.add(d.name()));
            return names;
        }

        private static Integer count(List<DeviceView> devices, String name) {
            return devices.stream()
                    .filter(d -> d.name().equals(name))
                    .map(DeviceView::count)
                    .findFirst()
                    .orElse(null);
        }

        private static String max(Number limit, Function<Long, String> format) {
            return limit == null ? "unlimited" : format.apply(limit.longValue());
        }

        private static String from(Number override, QuotaView q) {
            return override == null ? "role " + q.role() : "override";
        }
    }

    /** {@code hangar quota set USER ...}. */
    @Command(
            mixinStandardHelpOptions = true,
            name = "set",
            description = "Set a user's per-user quota override (admins). Options left out keep the current override;"
                    + " 'role' drops that field's override, so the role's limit applies again.")
    static final class Set implements Callable<Integer> {
        private final CliContext ctx;

        @Parameters(index = "0", paramLabel = "USER")
        String user;

        @Option(names = "--running", paramLabel = "N|role", description = "Workspaces meant to run at once.")
        String running;

        @Option(names = "--cpus", paramLabel = "N|role", description = "vCPUs of the workspaces meant to run.")
        String cpus;

        @Option(
                names = "--memory",
                paramLabel = "SIZE|role",
                description = "Memory of the workspaces meant to run, e.g. 16GiB (plain numbers are MiB).")
        String memory;

        @Option(
                names = "--disk",
                paramLabel = "SIZE|role",
                description = "Disk of all workspaces not being deleted, e.g. 200GiB (plain numbers are GiB).")
        String disk;

        @Option(
                names = "--device",
                paramLabel = "NAME=N|NAME=role",
                description = "Devices of the workspaces meant to run, e.g. --device nvidia.com/gpu=2 (repeatable; 0:"
                        + " none of it). NAME=role drops that device's override, so the role's limit applies.")
        List<String> devices = new ArrayList<>();

        @Option(names = "--reset", description = "Remove the whole override: the role's limits apply.")
        boolean reset;

        Set(CliContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public Integer call() {
            boolean any = running != null || cpus != null || memory != null || disk != null || !devices.isEmpty();
            if (reset == any)
                throw new CliException(
                        ExitCodes.USAGE,
                        "give --reset, or at least one of --running, --cpus, --memory, --disk, --device");
            Map<String, Integer> deviceChanges = deviceChanges(devices);
            try (HangarClient client = ServerConnection.open(ctx)) {
                QuotaLimitsView next = QuotaLimitsView.NONE;
                if (!reset) {
                    QuotaView now = client.admin().quota(user);
                    QuotaLimitsView o = now.override() == null ? QuotaLimitsView.NONE : now.override();
                    next = new QuotaLimitsView(
                            running == null ? o.running() : count("--running", running),
                            cpus == null ? o.cpus() : count("--cpus", cpus),
                            memory == null ? o.memoryMiB() : size("--memory", memory, Sizes::memoryMiB),
                            disk == null ? o.diskGiB() : size("--disk", disk, Sizes::diskGiB),
                            devices(o.devices(), deviceChanges));
                }
                QuotaView q = client.admin().setQuota(user, next);
                ctx.out()
                        .println(
                                q.override() == null
                                        ? "quota of " + user + ": no override, the limits of role " + q.role()
                                                + " apply"
                                        : "quota of " + user + " set; 'hangar quota show " + user + "' shows it");
                return ExitCodes.OK;
            }
        }

        /**
         * @return the {@code --device} values by name, in the order given; a null count drops that
         *     device's override ({@code NAME=role})
         * @throws CliException (usage) for a value without {@code NAME=}, a count that is neither a
         *     whole number 0 or more nor {@code role}, or a device given twice; the server checks names
         */
        static Map<String, Integer> deviceChanges(List<String> values) {
            Map<String, Integer> out = new LinkedHashMap<>();
            for (String v : values) {
                int eq = v.lastIndexOf('=');
                if (eq <= 0)
                    throw new CliException(
                            ExitCodes.USAGE,
                            "--device '" + v + "' must be NAME=COUNT or NAME=role, e.g. --device nvidia.com/gpu=2");
                String name = v.substring(0, eq).strip();
                if (out.containsKey(name))
                    throw new CliException(ExitCodes.USAGE, "--device " + name + " is given twice");
                out.put(name, count("--device " + name, v.substring(eq + 1)));
            }
            return out;
        }

        /** @return the override's device limits with {@code changes} applied (a null count removes one), by name */
        private static List<DeviceView> devices(List<DeviceView> current, Map<String, Integer> changes) {
            Map<String, Integer> next = new TreeMap<>();
            current.forEach(d -> next.put(d.name(), d.count()));
            changes.forEach((name, n) -> {
                if (n == null) next.remove(name);
                else next.put(name, n);
            });
            return next.entrySet().stream()
                    .map(e -> new DeviceView(e.getKey(), e.getValue()))
                    .toList();
        }

        private static Integer count(String option, String v) {
            if (v.strip().toLowerCase(Locale.ROOT).equals(ROLE)) return null;
            try {
                int n = Integer.parseInt(v.strip());
                if (n >= 0) return n;
            } catch (NumberFormatException e) {
                // falls through to the usage error
            }
            throw new CliException(
                    ExitCodes.USAGE, option + " must be a whole number 0 or more, or 'role'; got '" + v + "'");
        }

        private static Long size(String option, String v, Function<String, Integer> parse) {
            if (v.strip().toLowerCase(Locale.ROOT).equals(ROLE)) return null;
            try {
                return (long) parse.apply(v);
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCodes.USAGE, option + ": " + e.getMessage());
            }
        }
    }
}
