package dev.hangar.cli;

import dev.hangar.api.EventView;
import dev.hangar.api.SshKeyView;
import dev.hangar.api.TemplateView;
import dev.hangar.api.TokenView;
import dev.hangar.api.UserView;
import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.WorkspaceView;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Human-readable renderings of API records: tables for lists and "Key: value" blocks for single
 * objects. Pure functions of the records and {@code now} (for ages), so the output is stable for
 * golden tests. Thread-safe.
 */
final class Views {
    private Views() {}

    /** NAME [OWNER] TEMPLATE PHASE CPUS MEMORY DISK AGE; OWNER only when {@code withOwner}. */
    static Table workspaces(List<WorkspaceView> list, boolean withOwner, Instant now) {
        Table t = withOwner
                ? new Table("NAME", "OWNER", "TEMPLATE", "PHASE", "CPUS", "MEMORY", "DISK", "AGE")
                : new Table("NAME", "TEMPLATE", "PHASE", "CPUS", "MEMORY", "DISK", "AGE");
        for (WorkspaceView w : list) {
            String age = Age.between(w.createdAt(), now);
            String cpus = Integer.toString(w.cpus());
            String mem = Sizes.formatMiB(w.memoryMiB());
            String disk = Sizes.formatGiB(w.diskGiB());
            if (withOwner) t.row(w.name(), w.owner(), w.template(), w.phase().name(), cpus, mem, disk, age);
            else t.row(w.name(), w.template(), w.phase().name(), cpus, mem, disk, age);
        }
        return t;
    }

    /** A "describe" block of one workspace. */
    static void workspace(PrintWriter out, WorkspaceView w, Instant now) {
        Block b = new Block();
        b.add("Name", w.name());
        b.add("Owner", w.owner());
        b.add("Template", w.template());
        b.add("Provider", w.provider());
        if (w.phase() == WorkspacePhase.Stopped && w.reason().startsWith("suspended, ")) {
            // the provider's "suspended, 1.2 GiB state": "Stopped (suspended, 1.2 GiB state)"
            b.add("Phase", w.phase().name() + " (" + w.reason() + ")");
        } else {
            b.add("Phase", w.phase().name());
            if (!w.reason().isEmpty()) b.add("Reason", w.reason());
        }
        b.add("Desired", w.desired().toString());
        b.add("CPUs", Integer.toString(w.cpus()));
        b.add("Memory", Sizes.formatMiB(w.memoryMiB()));
        b.add("Disk", Sizes.formatGiB(w.diskGiB()));
        b.add("Image", w.image());
        if (!w.devices().isEmpty())
            b.add(
                    "Devices",
                    String.join(
                            " ",
                            w.devices().stream()
                                    .map(d -> d.name() + "=" + d.count())
                                    .toList()));
        b.add("Host key", w.hostKey());
        autostop(b, w, now);
        b.add("Created", time(w.createdAt()) + " (" + Age.between(w.createdAt(), now) + " ago)");
        b.add("Updated", time(w.updatedAt()) + " (" + Age.between(w.updatedAt(), now) + " ago)");
        b.add("ID", w.id());
        b.print(out);
    }

    /**
     * Idle auto-stop lines, only when the server sent them and auto-stop is on or a lease runs:
     * the setting, the last activity, the lease and, while it should run, when it will stop.
     */
    private static void autostop(Block b, WorkspaceView w, Instant now) {
        dev.hangar.api.ActivityView a = w.autostop();
        if (a == null || (a.autostop().equals("off") && a.leaseUntil() == null)) return;
        b.add("Autostop", a.autostop() + " idle");
        b.add("Last activity", time(a.lastActivity()) + " (" + Age.between(a.lastActivity(), now) + " ago)");
        if (a.leaseUntil() != null && a.leaseUntil().isAfter(now)) b.add("Kept alive", "until " + time(a.leaseUntil()));
        if (a.stopAt() != null && w.desired() == dev.hangar.api.DesiredState.RUNNING)
            b.add(
                    "Stops",
                    a.stopAt().isAfter(now)
                            ? time(a.stopAt()) + " (in " + Age.between(now, a.stopAt()) + " unless used)"
                            : "now (idle since " + time(a.lastActivity()) + ")");
    }

    /** NAME PROVIDER CPUS MEMORY DISK IMAGE DESCRIPTION (the template's defaults). */
    static Table templates(List<TemplateView> list) {
        Table t = new Table("NAME", "PROVIDER", "CPUS", "MEMORY", "DISK", "IMAGE", "DESCRIPTION");
        for (TemplateView v : list) {
            t.row(
                    v.name(),
                    v.provider(),
                    Integer.toString(v.defaults().cpus()),
                    Sizes.formatMiB(v.defaults().memoryMiB()),
                    Sizes.formatGiB(v.defaults().diskGiB()),
                    v.image(),
                    v.description());
        }
        return t;
    }

    /** A "describe" block of one template with its defaults and allowed ranges. */
    static void template(PrintWriter out, TemplateView v) {
        Block b = new Block();
        b.add("Name", v.name());
        b.add("Description", v.description());
        b.add("Provider", v.provider());
        b.add("Image", v.image());
        b.add(
                "CPUs",
                v.defaults().cpus() + " (allowed " + v.limits().cpus().min() + "-"
                        + v.limits().cpus().max() + ")");
        b.add(
                "Memory",
                Sizes.formatMiB(v.defaults().memoryMiB()) + " (allowed "
                        + Sizes.formatMiB(v.limits().memoryMiB().min()) + "-"
                        + Sizes.formatMiB(v.limits().memoryMiB().max()) + ")");
        b.add(
                "Disk",
                Sizes.formatGiB(v.defaults().diskGiB()) + " (allowed "
                        + Sizes.formatGiB(v.limits().diskGiB().min()) + "-"
                        + Sizes.formatGiB(v.limits().diskGiB().max()) + ")");
        for (TemplateView.Device d : v.devices())
            b.add(
                    "Device " + d.name(),
                    d.count() + " (allowed " + d.allowed().min() + "-"
                            + d.allowed().max() + ")");
        b.print(out);
    }

    /** FINGERPRINT ALGORITHM BITS COMMENT AGE. */
    static Table keys(List<SshKeyView> list, Instant now) {
        Table t = new Table("FINGERPRINT", "ALGORITHM", "BITS", "COMMENT", "AGE");
        for (SshKeyView k : list) {
            t.row(
                    k.fingerprint(),
                    k.algorithm(),
                    Integer.toString(k.bits()),
                    k.comment(),
                    Age.between(k.addedAt(), now));
        }
        return t;
    }

    /** NAME ROLE STATE AGE, by name as the server sends them. */
    static Table users(List<UserView> list, Instant now) {
        Table t = new Table("NAME", "ROLE", "STATE", "AGE");
        for (UserView u : list)
            t.row(u.name(), u.role(), u.disabled() ? "disabled" : "enabled", Age.between(u.createdAt(), now));
        return t;
    }

    /** NAME CREATED EXPIRES LAST-USED; never a secret (the server never sends one in a listing). */
    static Table tokens(List<TokenView> list, Instant now) {
        Table t = new Table("NAME", "CREATED", "EXPIRES", "LAST USED");
        for (TokenView k : list)
            t.row(
                    k.name(),
                    time(k.createdAt()),
                    k.expiresAt() == null ? "never" : time(k.expiresAt()),
                    k.lastUsedAt() == null ? "never" : time(k.lastUsedAt()));
        return t;
    }

    /** NAME SIZE UPDATED: never a value. */
    static Table secrets(List<dev.hangar.api.SecretView> list) {
        Table t = new Table("NAME", "SIZE", "UPDATED");
        for (dev.hangar.api.SecretView s : list) t.row(s.name(), s.size() + " B", time(s.updatedAt()));
        return t;
    }

    /** TIME ACTOR TYPE MESSAGE, oldest first as the server sends them. */
    static Table events(List<EventView> list) {
        Table t = new Table("TIME", "ACTOR", "TYPE", "MESSAGE");
        for (EventView e : list)
            t.row(
                    time(e.at()),
                    e.actor(),
                    e.type(),
                    e.count() > 1 ? e.message() + " (" + e.count() + " times)" : e.message());
        return t;
    }

    /** TIME ACTOR ACTION TARGET SOURCE OUTCOME, newest first as the server sends them. */
    static Table audit(List<dev.hangar.api.AuditEntryView> list) {
        Table t = new Table("TIME", "ACTOR", "ACTION", "TARGET", "SOURCE", "OUTCOME");
        for (dev.hangar.api.AuditEntryView e : list)
            t.row(time(e.at()), e.actor(), e.action(), e.target(), e.source(), e.outcome());
        return t;
    }

    /** @return ISO-8601 UTC to the second, e.g. {@code 2026-11-21T01:22:38Z} */
    static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** "Key:   value" lines with the values aligned. */
    private static final class Block {
        private final Table table = new Table("", "");

        void add(String key, String value) {
            table.row(key + ":", value);
        }

        void print(PrintWriter out) {
            // Reuse the table's alignment, dropping its (empty) header line.
            java.io.StringWriter sw = new java.io.StringWriter();
            table.print(new PrintWriter(sw));
            sw.toString().lines().skip(1).forEach(out::println);
        }
    }
}
