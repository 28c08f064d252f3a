package dev.hangar.cli;

import dev.hangar.api.LabView;
import dev.hangar.api.client.ApiException;
import dev.hangar.api.client.HangarClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * {@code --wait} for a lab: polls the lab until a condition holds, printing one progress line
 * for all members whenever the picture changes (at a terminal only).
 */
final class LabWaiter {
    private final CliContext ctx;
    private final HangarClient client;
    private final Duration timeout;

    LabWaiter(CliContext ctx, HangarClient client, Duration timeout) {
        this.ctx = ctx;
        this.client = client;
        this.timeout = timeout;
    }

    /** @throws CliException ERROR when the lab turns Degraded or the deadline passes */
    LabView untilReady(String name, String owner) {
        return until(name, owner, "Ready", l -> l.status().equals("Ready"));
    }

    LabView until(String name, String owner, String goal, Predicate<LabView> done) {
        Instant deadline = ctx.clock().instant().plus(timeout);
        String last = "";
        while (true) {
            LabView l = fetch(name, owner)
                    .orElseThrow(() -> new CliException(
                            ExitCodes.NOT_FOUND, "lab " + name + " disappeared while waiting for " + goal));
            String line = progress(l);
            if (!line.equals(last) && ctx.terminal().interactive()) {
                ctx.err().println(line);
                ctx.err().flush();
            }
            last = line;
            if (done.test(l)) return l;
            if (l.status().equals("Degraded"))
                throw new CliException(
                        ExitCodes.ERROR,
                        "lab " + name + " is degraded: " + l.message() + "; see 'hangar lab show " + name + "'");
            Instant now = ctx.clock().instant();
            if (!now.isBefore(deadline))
                throw new CliException(
                        ExitCodes.ERROR,
                        "timed out after " + timeout.toSeconds() + "s waiting for lab " + name + " (" + goal + "; now "
                                + l.status() + ", " + l.message() + "); it continues in the background");
            Duration pause = ctx.pollInterval();
            Duration left = Duration.between(now, deadline);
            try {
                Thread.sleep(pause.compareTo(left) < 0 ? pause : left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCodes.ERROR, "interrupted while waiting for lab " + name);
            }
        }
    }

    /** One line for all members, e.g. {@code lab k8s: Creating 1/3 ready (Running 1, Provisioning 2)}. */
    static String progress(LabView l) {
        java.util.Map<String, Integer> byPhase = new java.util.TreeMap<>();
        for (LabView.LabMemberView m : l.members()) byPhase.merge(m.phase(), 1, Integer::sum);
        StringBuilder b = new StringBuilder();
        byPhase.forEach((p, n) ->
                b.append(b.isEmpty() ? "" : ", ").append(p).append(' ').append(n));
        return "lab " + l.name() + ": " + l.status() + " " + l.ready() + "/" + l.total() + " ready (" + b + ")";
    }

    private Optional<LabView> fetch(String name, String owner) {
        try {
            return Optional.of(client.labs().get(name, owner));
        } catch (ApiException e) {
            if (e.status() == 404) return Optional.empty();
            throw e;
        }
    }
}
