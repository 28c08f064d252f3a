package dev.hangar.api;

import java.time.Instant;

/**
 * One audit log entry as {@code GET /api/v1/audit} returns it. Holds no secret.
 *
 * @param seq position in the log (higher is newer)
 * @param at when it happened
 * @param actor user name, or {@code anonymous}
 * @param action stable dotted name, e.g. {@code workspace.create}, {@code auth.failed}
 * @param target what was acted on, e.g. {@code alice/dev}; empty when none
 * @param source the client's address; empty when unknown
 * @param outcome HTTP status ({@code 201}) or {@code ok}, {@code denied}, {@code error}
 */
public record AuditEntryView(
        long seq, Instant at, String actor, String action, String target, String source, String outcome) {}
