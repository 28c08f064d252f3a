package dev.hangar.core.lab;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A lab's Ansible inventory (pure; thread-safe). One Ansible group per lab group holding its
 * members, a group named like the lab with the lab groups as children, lab vars on the lab group
 * and group vars on each group. Hosts are the members' Hangar SSH names ({@code
 * <workspace>.hangar}, as {@code hangar config-ssh} writes them), reached through the gateway by
 * ssh with the config-ssh config ({@code ansible_ssh_common_args: -F <config>}), which sets
 * {@code StrictHostKeyChecking yes} against the pinned known_hosts: host-key checking stays on.
 * Every host has {@code lab_address} (its static lab address) and {@code lab_group}.
 *
 * <p>Formats ({@link Format}): {@code ini} (Ansible's INI inventory), {@code yaml} (Ansible's YAML
 * inventory), {@code json} (the YAML inventory's structure as JSON) and {@code list} (the JSON a
 * dynamic inventory script prints for {@code --list}, with {@code _meta.hostvars}).
 */
public final class LabInventory {
    /** Suffix of workspace host names in the config-ssh config. */
    public static final String HOST_SUFFIX = ".hangar";

    /**
     * The ssh config used when the caller names none: Ansible templates the variable, so {@code
     * $HOME} is read where Ansible runs (ssh itself does not expand {@code ~} in {@code -F}).
     */
    public static final String DEFAULT_SSH_CONFIG = "{{ lookup('env', 'HOME') }}/.ssh/hangar/config";

    /** The output formats. */
    public enum Format {
        INI,
        YAML,
        JSON,
        LIST;

        /**
         * @throws IllegalArgumentException naming the accepted values
         */
        public static Format parse(String s) {
            for (Format f : values()) if (f.name().equalsIgnoreCase(s.strip())) return f;
            throw new IllegalArgumentException("format must be ini, yaml, json or list, got '" + s + "'");
        }
    }

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:@+,-]+");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    private LabInventory() {}

    /**
     * @param lab the lab
     * @param sshConfig the config-ssh config file to point ssh at (an absolute path, or {@link
     *     #DEFAULT_SSH_CONFIG})
     * @return the inventory in {@code format}, ending in a newline
     */
    public static String render(Lab lab, Format format, String sshConfig) {
        Objects.requireNonNull(sshConfig, "sshConfig");
        return switch (format) {
            case INI -> ini(lab, sshConfig);
            case YAML -> write(YAML, structured(lab, sshConfig));
            case JSON -> write(JSON, structured(lab, sshConfig)) + "\n";
            case LIST -> write(JSON, list(lab, sshConfig)) + "\n";
        };
    }

    /** @return the Ansible host name of a member, e.g. {@code k8s-master-1.hangar} */
    public static String host(LabMember m) {
        return m.workspaceName() + HOST_SUFFIX;
    }

    /** @return the lab group's vars: Hangar's connection vars, then the user's lab vars (which win) */
    static Map<String, String> labVars(Lab lab, String sshConfig) {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("ansible_user", lab.owner());
        vars.put("ansible_ssh_common_args", "-F " + sshConfig);
        vars.putAll(lab.spec().vars());
        return vars;
    }

    static Map<String, String> hostVars(LabMember m) {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("lab_address", m.address());
        vars.put("lab_group", m.group());
        return vars;
    }

    private static List<LabMember> members(Lab lab, LabGroup g) {
        return lab.members().stream().filter(m -> m.group().equals(g.name())).toList();
    }

    private static String ini(Lab lab, String sshConfig) {
        StringBuilder b = new StringBuilder();
        b.append("# Ansible inventory of lab '")
                .append(lab.name())
                .append("' (hangar lab inventory ")
                .append(lab.name())
                .append(")\n");
        for (LabGroup g : lab.spec().groups()) {
            b.append("\n[").append(g.name()).append("]\n");
            for (LabMember m : members(lab, g)) {
                b.append(host(m));
                hostVars(m)
                        .forEach((k, v) -> b.append(' ').append(k).append('=').append(iniValue(v)));
                b.append('\n');
            }
            if (!g.vars().isEmpty()) {
                b.append("\n[").append(g.name()).append(":vars]\n");
                g.vars()
                        .forEach((k, v) ->
                                b.append(k).append('=').append(iniValue(v)).append('\n'));
            }
        }
        b.append("\n[").append(lab.name()).append(":children]\n");
        for (LabGroup g : lab.spec().groups()) b.append(g.name()).append('\n');
        b.append("\n[").append(lab.name()).append(":vars]\n");
        labVars(lab, sshConfig)
                .forEach((k, v) -> b.append(k).append('=').append(iniValue(v)).append('\n'));
        return b.toString();
    }

    /** A value as Ansible's INI parser reads it back as the same string: plain, or a quoted literal. */
    static String iniValue(String v) {
        if (PLAIN.matcher(v).matches() && !looksLikeLiteral(v)) return v;
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** Plain words Ansible would turn into another type (numbers, booleans). */
    private static boolean looksLikeLiteral(String v) {
        String l = v.toLowerCase(Locale.ROOT);
        return l.equals("true")
                || l.equals("false")
                || l.equals("none")
                || v.matches("[-+]?[0-9_]+|[-+]?[0-9_]*\\.[0-9_]*([eE][-+]?[0-9]+)?|[-+]?[0-9_]+[eE][-+]?[0-9]+");
    }

    private static Map<String, Object> structured(Lab lab, String sshConfig) {
        Map<String, Object> children = new LinkedHashMap<>();
        for (LabGroup g : lab.spec().groups()) {
            Map<String, Object> hosts = new LinkedHashMap<>();
            for (LabMember m : members(lab, g)) hosts.put(host(m), hostVars(m));
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("hosts", hosts);
            if (!g.vars().isEmpty()) group.put("vars", g.vars());
            children.put(g.name(), group);
        }
        Map<String, Object> labGroup = new LinkedHashMap<>();
        labGroup.put("children", children);
        labGroup.put("vars", labVars(lab, sshConfig));
        return Map.of("all", Map.of("children", Map.of(lab.name(), labGroup)));
    }

    private static Map<String, Object> list(Lab lab, String sshConfig) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> hostvars = new LinkedHashMap<>();
        for (LabMember m : lab.members()) hostvars.put(host(m), hostVars(m));
        out.put("_meta", Map.of("hostvars", hostvars));
        out.put("all", Map.of("children", List.of("ungrouped", lab.name())));
        List<String> groups = new ArrayList<>();
        for (LabGroup g : lab.spec().groups()) groups.add(g.name());
        Map<String, Object> labGroup = new LinkedHashMap<>();
        labGroup.put("children", groups);
        labGroup.put("vars", labVars(lab, sshConfig));
        out.put(lab.name(), labGroup);
        for (LabGroup g : lab.spec().groups()) {
            Map<String, Object> group = new LinkedHashMap<>();
            group.put("hosts", members(lab, g).stream().map(LabInventory::host).toList());
            if (!g.vars().isEmpty()) group.put("vars", g.vars());
            out.put(g.name(), group);
        }
        return out;
    }

    private static String write(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the inventory", e);
        }
    }
}
