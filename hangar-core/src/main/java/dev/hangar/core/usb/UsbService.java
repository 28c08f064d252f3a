package dev.hangar.core.usb;

import dev.hangar.core.domain.Phase;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.reconcile.ProviderRegistry;
import dev.hangar.core.service.WorkspaceService;
import dev.hangar.core.store.Store;
import dev.hangar.core.template.Template;
import dev.hangar.core.template.TemplateCatalog;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * USB/IP attachments of a workspace: the policy check and audit behind {@code hangar usb attach}
 * and {@code detach}. The forwarding itself runs between the user's PC and the workspace (SSH
 * remote forward); the control plane decides whether a device may be attached and records every
 * attach, detach and denial as a workspace event ({@code usb-attach}, {@code usb-detach}, {@code
 * usb-denied}).
 *
 * <p>The event log is the record: the current attachments are the {@code usb-attach} events not
 * followed by a {@code usb-detach} of the same bus id, so they survive a server restart without a
 * table of their own. Event messages start with {@code busid=B vidPid=V usbipd=H:P}. Thread-safe.
 */
public final class UsbService {
    /** Event types written by this service. */
    public static final String ATTACH = "usb-attach", DETACH = "usb-detach", DENIED = "usb-denied";

    private static final Pattern MESSAGE = Pattern.compile("^busid=(\\S+) vidPid=(\\S+) usbipd=(\\S+)");
    private static final int REPLAY_LIMIT = 10_000;

    private final Store store;
    private final TemplateCatalog templates;
    private final WorkspaceService workspaces;
    private final Function<String, List<String>> userAllow;
    private final Clock clock;
    private final Function<Workspace, Optional<Path>> guestSockets;

    /**
     * A service whose workspaces never offer the gateway tunnel ({@link #tunnel} is always {@value
     * #TUNNEL_SSH}).
     *
     * @param userAllow a user's own allow-list by user name (canonical entries, see {@link
     *     UsbPolicy#canonical}); empty when the user has none. Called on every attach, so an
     *     administrator's change applies without a restart.
     */
    public UsbService(
            Store store,
            TemplateCatalog templates,
            WorkspaceService workspaces,
            Function<String, List<String>> userAllow,
            Clock clock) {
        this(store, templates, workspaces, userAllow, clock, w -> Optional.empty());
    }

    /**
     * @param providers where a Running workspace's guest USB/IP socket is asked for ({@link
     *     #guestSocket})
     */
    public UsbService(
            Store store,
            TemplateCatalog templates,
            WorkspaceService workspaces,
            Function<String, List<String>> userAllow,
            Clock clock,
            ProviderRegistry providers) {
        this(store, templates, workspaces, userAllow, clock, w -> guestSocket(providers, w));
    }

    private UsbService(
            Store store,
            TemplateCatalog templates,
            WorkspaceService workspaces,
            Function<String, List<String>> userAllow,
            Clock clock,
            Function<Workspace, Optional<Path>> guestSockets) {
        this.store = Objects.requireNonNull(store);
        this.templates = Objects.requireNonNull(templates);
        this.workspaces = Objects.requireNonNull(workspaces);
        this.userAllow = Objects.requireNonNull(userAllow);
        this.clock = Objects.requireNonNull(clock);
        this.guestSockets = guestSockets;
    }

    /** {@link #tunnel}: the guest reaches USB/IP through its VM's guestfwd and the SSH gateway (ADR 0019). */
    public static final String TUNNEL_GATEWAY = "gateway";

    /** {@link #tunnel}: {@code ssh -R} through the gateway into the workspace's own sshd. */
    public static final String TUNNEL_SSH = "ssh";

    /**
     * Which tunnel {@code hangar usb attach} should use for the workspace now: {@value
     * #TUNNEL_GATEWAY} when it is Running and its provider reports a guest USB/IP socket (a local
     * VM launched with the guestfwd), else {@value #TUNNEL_SSH}. Reads only.
     *
     * @throws dev.hangar.core.domain.NotFoundException when the actor may not see the workspace
     */
    public String tunnel(User actor, String owner, String name) {
        return guestSockets.apply(workspaces.get(actor, owner, name)).isPresent() ? TUNNEL_GATEWAY : TUNNEL_SSH;
    }

    /**
     * @return the guest USB/IP socket of {@code w} as its provider reports it, only while {@code w}
     *     is Running; empty for providers without one
     */
    public static Optional<Path> guestSocket(ProviderRegistry providers, Workspace w) {
        if (w.phase() != Phase.Running) return Optional.empty();
        return providers.find(w.providerType()).flatMap(p -> p.usbipGuestSocket(w.id()));
    }

    /** Result of {@link #attach}. */
    public sealed interface AttachResult permits Allowed, Denied {}

    /**
     * @param attachment what was recorded
     * @param reason which allow-list entry matched
     */
    public record Allowed(UsbAttachment attachment, String reason) implements AttachResult {}

    /** @param reason what was consulted and where to allow the device */
    public record Denied(String reason) implements AttachResult {}

    /**
     * Checks the policy for the device and records {@code usb-attach} (or {@code usb-denied}).
     * Attaching a bus id that is attached already records a new attach (the CLI re-attaches after
     * the link dropped) and replaces the old one in {@link #list}.
     *
     * @param busId validated bus id
     * @param vidPid validated {@code vvvv:pppp}
     * @param usbipd validated {@code host:port}
     * @throws dev.hangar.core.domain.NotFoundException when the actor may not see the workspace
     */
    public AttachResult attach(User actor, String owner, String name, String busId, String vidPid, String usbipd) {
        Workspace w = workspaces.get(actor, owner, name);
        Template t = templates.find(w.template()).orElse(null);
        UsbPolicy.Decision d;
        if (t == null) {
            d = new UsbPolicy.Decision(
                    false, "the workspace's template " + w.template() + " no longer exists, so no USB policy applies");
        } else {
            d = UsbPolicy.decide(vidPid, t, w.owner(), UsbPolicy.canonical("user", userAllow.apply(w.owner())));
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String head = "busid=" + busId + " vidPid=" + vidPid.toLowerCase(java.util.Locale.ROOT) + " usbipd=" + usbipd;
        if (!d.allowed()) {
            append(w, now, actor, DENIED, head + " denied: " + d.reason());
            return new Denied(d.reason());
        }
        append(w, now, actor, ATTACH, head + " attached by " + actor.name() + " (allowed by " + d.reason() + ")");
        return new Allowed(
                new UsbAttachment(busId, vidPid.toLowerCase(java.util.Locale.ROOT), usbipd, actor.name(), now),
                d.reason());
    }

    /**
     * Records {@code usb-detach} when the bus id is attached. Idempotent.
     *
     * @return true if it was attached
     */
    public boolean detach(User actor, String owner, String name, String busId) {
        Workspace w = workspaces.get(actor, owner, name);
        UsbAttachment a = current(w).get(busId);
        if (a == null) return false;
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        append(
                w,
                now,
                actor,
                DETACH,
                "busid=" + busId + " vidPid=" + a.vidPid() + " usbipd=" + a.usbipd() + " detached by " + actor.name());
        return true;
    }

    /** @return the current attachments, oldest first */
    public List<UsbAttachment> list(User actor, String owner, String name) {
        return new ArrayList<>(current(workspaces.get(actor, owner, name)).values());
    }

    /**
     * Whether a USB device is attached to the workspace now (an attach not yet followed by its
     * detach): idle auto-stop counts an attachment held open as use. Reads the event log.
     */
    public boolean holdsAttachment(String workspaceId) {
        return !current(workspaceId).isEmpty();
    }

    private Map<String, UsbAttachment> current(Workspace w) {
        return current(w.id());
    }

    private Map<String, UsbAttachment> current(String workspaceId) {
        Map<String, UsbAttachment> byBus = new LinkedHashMap<>();
        for (WorkspaceEvent e : store.events().list(workspaceId, REPLAY_LIMIT)) {
            if (!e.type().equals(ATTACH) && !e.type().equals(DETACH)) continue;
            Matcher m = MESSAGE.matcher(e.message());
            if (!m.find()) continue;
            byBus.remove(m.group(1));
            if (e.type().equals(ATTACH))
                byBus.put(m.group(1), new UsbAttachment(m.group(1), m.group(2), m.group(3), e.actor(), e.at()));
        }
        return byBus;
    }

    private void append(Workspace w, Instant now, User actor, String type, String message) {
        store.inTransaction(tx -> tx.events().append(new WorkspaceEvent(0, w.id(), now, actor.name(), type, message)));
    }
}
