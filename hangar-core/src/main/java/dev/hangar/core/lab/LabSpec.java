package dev.hangar.core.lab;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a lab is made of, as the user wrote it (docs/labs.md). Immutable; checked by {@link
 * LabService#create}, not here.
 *
 * @param name DNS-1123 label, unique per owner among labs
 * @param template template of groups that name none; empty for the server's default template
 * @param vars Ansible vars of the whole lab ({@code [LAB:vars]}), sorted by key
 * @param groups the groups in the order given (member addresses follow this order)
 */
public record LabSpec(String name, String template, Map<String, String> vars, List<LabGroup> groups) {
    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public LabSpec {
        Objects.requireNonNull(name, "name");
        template = template == null ? "" : template;
        vars = vars == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(vars));
        groups = groups == null ? List.of() : List.copyOf(groups);
    }

    /** @return the number of members of all groups */
    public int memberCount() {
        return groups.stream().mapToInt(LabGroup::count).sum();
    }

    /** @return this spec as JSON, the form the store keeps; {@link #fromJson} reads it back equal */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode lab spec " + name, e);
        }
    }

    /**
     * @return the spec {@link #toJson} wrote
     * @throws IllegalArgumentException when {@code json} is not such a spec
     */
    public static LabSpec fromJson(String json) {
        try {
            return JSON.readValue(json, LabSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("stored lab spec is not readable: " + e.getOriginalMessage(), e);
        }
    }
}
