package dev.hangar.core.lab;

import java.util.Objects;

/**
 * One member of a stored {@link Lab}: which group slot it fills, the workspace made for it and its
 * lab address.
 *
 * @param group the group's name
 * @param index 1-based index within the group
 * @param workspaceName {@code <lab>-<group>-<index>}
 * @param workspaceId id of the workspace created for it; empty until created (and forever when its
 *     creation failed)
 * @param address the member's static address in the lab's subnet, e.g. {@code 10.213.0.11}
 * @param error why creating its workspace failed; empty when it did not
 */
public record LabMember(
        String group, int index, String workspaceName, String workspaceId, String address, String error) {
    public LabMember {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(workspaceName, "workspaceName");
        Objects.requireNonNull(address, "address");
        workspaceId = workspaceId == null ? "" : workspaceId;
        error = error == null ? "" : error;
    }

    /** @return a copy linked to its workspace */
    public LabMember withWorkspace(String id) {
        return new LabMember(group, index, workspaceName, id, address, "");
    }

    /** @return a copy that records a failed creation */
    public LabMember withError(String why) {
        return new LabMember(group, index, workspaceName, "", address, why);
    }
}
