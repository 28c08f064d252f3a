package dev.hangar.core.lab;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A stored lab: its spec, its /24 and its members (in spec order: group by group, index by index).
 * Immutable.
 *
 * @param id immutable UUID string; also the lab network's segment id
 * @param owner the owning user's name
 * @param spec what it was created from
 * @param subnet the lab's own /24 out of {@code labs.subnet}, e.g. {@code 10.213.0.0/24}
 * @param createdAt when it was created
 * @param members one per member slot
 */
public record Lab(String id, String owner, LabSpec spec, String subnet, Instant createdAt, List<LabMember> members) {
    public Lab {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(createdAt, "createdAt");
        members = List.copyOf(members);
    }

    /** @return the spec's name */
    public String name() {
        return spec.name();
    }
}
