package dev.hangar.api;

import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /api/v1/labs}, and the shape of a lab file ({@code hangar lab create -f
 * lab.yaml}; docs/labs.md). Unknown keys are refused (400 naming the key). The server validates
 * every value (422 naming the field, e.g. {@code groups[1].count}).
 *
 * @param name required DNS-1123 label; members are named {@code <name>-<group>-<n>}
 * @param template optional template of groups that name none; left out for the server's default
 * @param vars optional Ansible vars of the whole lab ({@code [LAB:vars]})
 * @param groups required, at least one
 */
public record CreateLabRequest(String name, String template, Map<String, String> vars, List<LabGroupRequest> groups) {

    /**
     * One group of a lab.
     *
     * @param name required DNS-1123 label, unique in the lab
     * @param count required number of members, at least 1 (all groups together at most the
     *     server's {@code labs.max-members}, default 20)
     * @param template optional template; left out for the lab's
     * @param cpus optional virtual CPUs per member, within the template's range
     * @param memoryMiB optional memory per member in MiB
     * @param diskGiB optional disk per member in GiB
     * @param userData optional #cloud-config YAML mapping for every member of the group
     * @param vars optional Ansible group vars ({@code [GROUP:vars]})
     */
    public record LabGroupRequest(
            String name,
            Integer count,
            String template,
            Integer cpus,
            Integer memoryMiB,
            Integer diskGiB,
            String userData,
            Map<String, String> vars) {}
}
