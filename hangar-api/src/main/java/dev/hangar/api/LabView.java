package dev.hangar.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A lab as the API shows it ({@code /api/v1/labs}).
 *
 * @param name the lab's name
 * @param owner its owner
 * @param status {@code Creating}, {@code Starting}, {@code Ready}, {@code Degraded}, {@code
 *     Stopping}, {@code Stopped} or {@code Deleting}, aggregated from the members
 * @param ready members that are Running
 * @param total members
 * @param message e.g. {@code 3/3 ready}, or for Degraded the failing member and its reason
 * @param subnet the lab's /24, e.g. {@code 10.213.0.0/24}
 * @param vars the lab's Ansible vars
 * @param createdAt when it was created
 * @param members in spec order (group by group)
 */
public record LabView(
        String name,
        String owner,
        String status,
        int ready,
        int total,
        String message,
        String subnet,
        Map<String, String> vars,
        Instant createdAt,
        List<LabMemberView> members) {

    /**
     * One member.
     *
     * @param name its workspace's name, {@code <lab>-<group>-<n>}
     * @param group its group
     * @param index its 1-based index in the group
     * @param address its static lab address, e.g. {@code 10.213.0.11}
     * @param phase its workspace's phase; {@code Missing} when it has no workspace
     * @param reason the workspace's reason or why it is missing; empty when none
     */
    public record LabMemberView(String name, String group, int index, String address, String phase, String reason) {}
}
