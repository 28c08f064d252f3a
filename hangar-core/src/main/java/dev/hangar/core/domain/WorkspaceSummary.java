package dev.hangar.core.domain;

import dev.hangar.provider.spi.DeviceRequest;
import dev.hangar.provider.spi.Resources;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A workspace as a listing shows it: every field of {@link Workspace} a list page needs, without
 * its secrets or its bulky inputs. It lacks the host private key (sealed in the store, ADR 0018:
 * a listing never opens it), the extra user-data, and the provider's endpoint and retry state
 * ({@code sshHost}, {@code sshPort}, {@code restartPending}, {@code failures}). Read it with
 * {@link dev.hangar.core.store.WorkspaceStore#summaries}; use {@link Workspace} for anything that
 * acts on the workspace.
 *
 * @param hostKeyPublic the pinned host key's public half, {@code "<algorithm> <base64>"}
 * @param devcontainer the devcontainer folder; empty for none
 */
public record WorkspaceSummary(
        String id,
        String name,
        String owner,
        String template,
        String providerType,
        Resources resources,
        String image,
        String devcontainer,
        List<DeviceRequest> devices,
        String hostKeyPublic,
        DesiredState desired,
        Phase phase,
        String reason,
        Instant createdAt,
        Instant updatedAt,
        long version) {
    public WorkspaceSummary {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(providerType, "providerType");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(image, "image");
        devcontainer = devcontainer == null ? "" : devcontainer;
        devices = List.copyOf(devices);
        Objects.requireNonNull(hostKeyPublic, "hostKeyPublic");
        Objects.requireNonNull(desired, "desired");
        Objects.requireNonNull(phase, "phase");
        reason = reason == null ? "" : reason;
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** @return the listing fields of {@code w} (what {@link dev.hangar.core.store.WorkspaceStore#summaries} reads) */
    public static WorkspaceSummary of(Workspace w) {
        WorkspaceParameters p = w.parameters();
        return new WorkspaceSummary(
                w.id(),
                w.name(),
                w.owner(),
                w.template(),
                w.providerType(),
                p.resources(),
                p.image(),
                p.devcontainer(),
                p.devices(),
                w.hostKey().publicKey(),
                w.desired(),
                w.phase(),
                w.reason(),
                w.createdAt(),
                w.updatedAt(),
                w.version());
    }
}
