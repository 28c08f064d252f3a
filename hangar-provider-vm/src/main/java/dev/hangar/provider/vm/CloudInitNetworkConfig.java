package dev.hangar.provider.vm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.hangar.provider.spi.LabNetwork;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders the NoCloud {@code network-config} of a lab member VM: cloud-init's network configuration
 * version 2 (netplan's format, which cloud-init renders to ifupdown, networkd, netplan or
 * NetworkManager as the guest has). Pure: same input, same text. Thread-safe.
 *
 * <p>Both NICs are matched by MAC address and named with {@code set-name}, so the configuration
 * does not depend on the order or the naming scheme of the guest's interfaces (ifupdown needs a
 * name, so {@code set-name} is not optional there): the uplink ({@value LabNic#UPLINK_INTERFACE})
 * keeps DHCP as without a lab, the lab NIC ({@value LabNic#LAB_INTERFACE}) gets the member's static
 * address and neither DHCP nor a gateway (the lab segment has no router; the uplink stays the
 * default route). A workspace on no lab gets no network-config at all, so the guest keeps its own
 * default (cloud-init's fallback: DHCP on the first NIC).
 */
public final class CloudInitNetworkConfig {
    // Every string quoted: an unquoted MAC such as 52:54:00:12:34:56 is a base-60 integer to YAML 1.1
    // parsers (PyYAML, which cloud-init uses).
    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

    private CloudInitNetworkConfig() {}

    /**
     * @param spec the workspace; its {@link WorkspaceSpec#labNetwork()} decides
     * @param uplinkMac the MAC address the provider gives the first NIC, e.g. {@code 52:54:00:12:34:56}
     * @return the {@code network-config} text, or empty for a workspace on no lab
     */
    public static Optional<String> render(WorkspaceSpec spec, String uplinkMac) {
        LabNetwork lab = spec.labNetwork();
        if (lab.isNone()) return Optional.empty();
        Map<String, Object> uplink = nic(uplinkMac, LabNic.UPLINK_INTERFACE);
        uplink.put("dhcp4", true);
        Map<String, Object> labNic = nic(LabNic.macAddress(spec.id()), LabNic.LAB_INTERFACE);
        labNic.put("dhcp4", false);
        labNic.put("dhcp6", false);
        labNic.put("addresses", List.of(lab.address()));
        Map<String, Object> ethernets = new LinkedHashMap<>();
        ethernets.put(LabNic.UPLINK_INTERFACE, uplink);
        ethernets.put(LabNic.LAB_INTERFACE, labNic);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("version", 2);
        doc.put("ethernets", ethernets);
        try {
            return Optional.of(YAML.writeValueAsString(doc));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render YAML", e);
        }
    }

    private static Map<String, Object> nic(String mac, String name) {
        Map<String, Object> nic = new LinkedHashMap<>();
        nic.put("match", Map.of("macaddress", mac));
        nic.put("set-name", name);
        return nic;
    }
}
