package dev.hangar.server.dashboard;

import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.WorkspaceEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A workspace's phase timeline from its events: it is {@code Pending} from its creation, and each
 * {@code phase} event ({@code "Starting -> Running"}, optionally {@code ": reason"}, as the
 * reconciler writes them) starts the next span. The last span lasts until {@code now}. Pure.
 */
final class PhaseTimeline {
    /**
     * One span.
     *
     * @param phase the phase
     * @param from when it was entered
     * @param duration how long it lasted (the last: until now)
     */
    record Span(Phase phase, Instant from, Duration duration) {}

    private PhaseTimeline() {}

    /**
     * @param createdAt the workspace's creation
     * @param events its events, oldest first (other types are skipped; malformed phase messages too)
     * @param now the end of the last span
     * @return the spans, oldest first; at least the initial {@code Pending}
     */
    static List<Span> of(Instant createdAt, List<WorkspaceEvent> events, Instant now) {
        List<Phase> phases = new ArrayList<>();
        List<Instant> starts = new ArrayList<>();
        phases.add(Phase.Pending);
        starts.add(createdAt);
        for (WorkspaceEvent e : events) {
            if (!e.type().equals("phase")) continue;
            Optional<Phase> next = target(e.message());
            if (next.isEmpty()) continue;
            phases.add(next.get());
            starts.add(e.at());
        }
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < phases.size(); i++) {
            Instant end = i + 1 < starts.size() ? starts.get(i + 1) : now;
            Duration d = Duration.between(starts.get(i), end);
            spans.add(new Span(phases.get(i), starts.get(i), d.isNegative() ? Duration.ZERO : d));
        }
        return spans;
    }

    /** @return the phase after {@code ->} in a phase event's message */
    static Optional<Phase> target(String message) {
        int arrow = message.indexOf(" -> ");
        if (arrow < 0) return Optional.empty();
        String rest = message.substring(arrow + 4);
        int colon = rest.indexOf(':');
        String name = (colon < 0 ? rest : rest.substring(0, colon)).strip();
        try {
            return Optional.of(Phase.parse(name));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** @return e.g. {@code 2h 5m}, {@code 3m 12s}, {@code 4.2s} */
    static String human(Duration d) {
        long s = d.toSeconds();
        if (s >= 3600) return (s / 3600) + "h " + (s % 3600 / 60) + "m";
        if (s >= 60) return (s / 60) + "m " + (s % 60) + "s";
        return String.format(java.util.Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
}
