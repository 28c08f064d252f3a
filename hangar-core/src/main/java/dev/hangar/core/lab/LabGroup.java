package dev.hangar.core.lab;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One group of a {@link LabSpec}: {@code count} members made from one template, named {@code
 * <lab>-<group>-<n>} with n from 1.
 *
 * @param name DNS-1123 label, unique within the lab (e.g. {@code master}, {@code nodes})
 * @param count members in the group, at least 1
 * @param template template of every member; empty for the lab's template (or the server's default)
 * @param cpus virtual CPUs per member; 0 for the template's default
 * @param memoryMiB memory per member in MiB; 0 for the template's default
 * @param diskGiB disk per member in GiB; 0 for the template's default
 * @param userData extra {@code #cloud-config} YAML mapping for every member of the group; empty for none
 * @param vars Ansible group vars ({@code [GROUP:vars]}), sorted by key
 */
public record LabGroup(
        String name,
        int count,
        String template,
        int cpus,
        int memoryMiB,
        int diskGiB,
        String userData,
        Map<String, String> vars) {
    public LabGroup {
        Objects.requireNonNull(name, "name");
        template = template == null ? "" : template;
        userData = userData == null ? "" : userData;
        vars = vars == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(vars));
    }

    /** @return a group of {@code count} members from the lab's template with the template's sizes */
    public static LabGroup of(String name, int count) {
        return new LabGroup(name, count, "", 0, 0, 0, "", Map.of());
    }
}
