package dev.hangar.core.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of the audit log: who did what to what, when, from where, and how it ended. Holds no
 * secret by construction: no field is ever filled from a request body, a token, a key or a
 * password (issue #15, item 6).
 *
 * @param seq position in the log, assigned by the store (ascending in insertion order); 0 before
 *     it is stored
 * @param at when it happened, from the server's injected clock (stored to the millisecond)
 * @param actor the authenticated user's name, or {@link #ANONYMOUS} when nobody was authenticated
 * @param action a stable dotted name, e.g. {@code workspace.create}, {@code auth.failed}, {@code
 *     gateway.connect} (see {@code AuditActions} in hangar-server for the HTTP ones)
 * @param target what it acted on, e.g. {@code alice/dev} for a workspace, {@code bob} for a user,
 *     {@code alice/ci} for a token (by name, never its secret); empty when there is none or it is
 *     unknown
 * @param source the client's address ({@code host} or {@code host:port}); empty when unknown
 * @param outcome the HTTP status ({@code 201}, {@code 403}, ...) or {@code ok}, {@code denied},
 *     {@code error}
 */
public record AuditEntry(
        long seq, Instant at, String actor, String action, String target, String source, String outcome) {

    /** The actor of a request that carried no valid credentials. */
    public static final String ANONYMOUS = "anonymous";

    /** Outcome of a non-HTTP event that went through. */
    public static final String OK = "ok";

    /** Outcome of a non-HTTP event that a policy refused. */
    public static final String DENIED = "denied";

    /** Outcome of a non-HTTP event that failed for another reason. */
    public static final String ERROR = "error";

    public AuditEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(outcome, "outcome");
        if (actor.isEmpty()) throw new IllegalArgumentException("actor must not be empty (use ANONYMOUS)");
        if (action.isEmpty()) throw new IllegalArgumentException("action must not be empty");
        if (outcome.isEmpty()) throw new IllegalArgumentException("outcome must not be empty");
    }

    /** @return an entry not yet stored (seq 0) */
    public static AuditEntry of(Instant at, String actor, String action, String target, String source, String outcome) {
        return new AuditEntry(0, at, actor, action, target, source, outcome);
    }

    /** @return this entry with the store's {@code seq} and the stored {@code at} */
    public AuditEntry stored(long seq, Instant storedAt) {
        return new AuditEntry(seq, storedAt, actor, action, target, source, outcome);
    }
}
