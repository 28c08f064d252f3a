package dev.hangar.server;

import dev.hangar.api.DesiredState;
import dev.hangar.api.EventView;
import dev.hangar.api.SshKeyView;
import dev.hangar.api.TemplateView;
import dev.hangar.api.UserView;
import dev.hangar.api.WorkspacePhase;
import dev.hangar.api.WorkspaceView;
import dev.hangar.core.domain.User;
import dev.hangar.core.domain.UserSshKey;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.domain.WorkspaceEvent;
import dev.hangar.core.service.DevcontainerForwardPorts;
import dev.hangar.core.template.Range;
import dev.hangar.core.template.Template;

/** Maps domain values to the API's wire records. Pure; never exposes secrets (host private keys, token hashes). */
final class Views {
    private Views() {}

    static WorkspaceView workspace(Workspace w) {
        return workspace(dev.hangar.core.domain.WorkspaceSummary.of(w));
    }

    /**
     * A workspace as lists and write answers show it (a list page reads only summaries, so the
     * private host key is never opened for it; a single workspace maps through the same code).
     */
    static WorkspaceView workspace(dev.hangar.core.domain.WorkspaceSummary w) {
        var r = w.resources();
        return new WorkspaceView(
                w.id(),
                w.name(),
                w.owner(),
                w.template(),
                w.providerType(),
                r.cpus(),
                r.memoryMiB(),
                r.diskGiB(),
                w.image(),
                DesiredState.valueOf(w.desired().name()),
                WorkspacePhase.valueOf(w.phase().name()),
                w.reason(),
                w.hostKeyPublic(),
                w.createdAt(),
                w.updatedAt(),
                w.version(),
                null, // auto-stop state only in the answer of GET /workspaces/{name}
                DevcontainerForwardPorts.read(w.devcontainer()),
                w.devices().stream()
                        .map(d -> new dev.hangar.api.DeviceView(d.name(), d.count()))
                        .toList());
    }

    /** The workspace with its idle auto-stop state (the answer of {@code GET /workspaces/{name}}). */
    static WorkspaceView workspace(Workspace w, dev.hangar.core.autostop.ActivityStatus a) {
        return workspace(w).withAutostop(activity(a));
    }

    static dev.hangar.api.ActivityView activity(dev.hangar.core.autostop.ActivityStatus a) {
        return new dev.hangar.api.ActivityView(
                a.autostop().wire(),
                a.lastActivity(),
                a.leaseUntil().orElse(null),
                a.stopAt().orElse(null));
    }

    static EventView event(WorkspaceEvent e) {
        return new EventView(e.seq(), e.at(), e.actor(), e.type(), e.message(), e.count());
    }

    static TemplateView template(Template t) {
        var d = t.defaults();
        return new TemplateView(
                t.name(),
                t.description(),
                t.provider(),
                t.image(),
                new TemplateView.Sizes(d.cpus(), d.memoryMiB(), d.diskGiB()),
                new TemplateView.Limits(range(t.cpus()), range(t.memoryMiB()), range(t.diskGiB())),
                t.devices().stream()
                        .map(x -> new TemplateView.Device(x.name(), x.count(), range(x.allowed())))
                        .toList());
    }

    static UserView user(User u) {
        return new UserView(u.name(), u.admin(), u.role().wireName(), u.disabled(), u.createdAt());
    }

    /** A token as listed: name and times, never the secret or its hash. */
    static dev.hangar.api.TokenView token(dev.hangar.core.domain.ApiToken t) {
        return new dev.hangar.api.TokenView(
                t.name(),
                t.createdAt(),
                t.expiresAt().orElse(null),
                t.lastUsedAt().orElse(null));
    }

    static SshKeyView key(UserSshKey k) {
        return new SshKeyView(
                k.key().algorithm(),
                k.key().bits(),
                k.key().fingerprint(),
                k.key().comment(),
                k.addedAt());
    }

    private static TemplateView.Range range(Range r) {
        return new TemplateView.Range(r.min(), r.max());
    }
}
