package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.ProviderException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code qemu} provider's settings, parsed from {@code ProviderContext.settings()}.
 *
 * <p>Keys (lower-kebab):
 *
 * <ul>
 *   <li>{@code accelerator}: {@code auto} (default), {@code kvm} or {@code tcg}
 *   <li>{@code qemu-binary}: the system emulator, default {@code qemu-system-x86_64} (looked up on
 *       {@code PATH} unless absolute)
 *   <li>{@code qemu-img-binary}: default {@code qemu-img}
 *   <li>{@code image-catalog}: path of a catalog YAML file replacing the one shipped in the module
 *   <li>{@code shutdown-timeout-seconds}: how long a graceful stop (ACPI power button through QMP
 *       {@code system_powerdown}) may take before QMP {@code quit}; default 60
 *   <li>{@code ssh-probe-timeout-seconds}: timeout of one readiness probe (TCP connect and SSH key
 *       exchange); default 10
 *   <li>{@code restrict-network}: {@code true} to cut the guest off from everything but the
 *       forwarded SSH port ({@code -netdev user,restrict=on}); default {@code false}, since
 *       templates install packages on first boot
 *   <li>{@code ssh-port-range}: {@code FIRST-LAST} (e.g. {@code 42000-42999}), the loopback ports
 *       the guests' port 22 is forwarded from; default: any free port the kernel assigns from its
 *       ephemeral range ({@code /proc/sys/net/ipv4/ip_local_port_range})
 *   <li>{@code pci-devices}: the allow-list of host PCI devices for passthrough ({@link
 *       PciPassthroughRule}); in {@code server.yaml} a list of {@code {name, address}} or {@code
 *       {name, id}} mappings, which reaches the provider as the flat keys {@code
 *       pci-devices.<index>.name}, {@code .address} and {@code .id}; default: none
 * </ul>
 *
 * @param catalogFile empty for the catalog shipped with the module
 * @param sshPortRange empty for the kernel's choice
 * @param pciDevices the passthrough allow-list in index order; empty for none
 */
public record QemuSettings(
        Accelerator accelerator,
        String qemuBinary,
        String qemuImgBinary,
        Optional<Path> catalogFile,
        Duration shutdownTimeout,
        Duration sshProbeTimeout,
        boolean restrictNetwork,
        Optional<PortRange> sshPortRange,
        List<PciPassthroughRule> pciDevices) {

    /** The key of the passthrough allow-list; its entries are {@code pci-devices.<index>.<field>}. */
    public static final String PCI_DEVICES = "pci-devices";

    private static final Pattern PCI_DEVICE_KEY = Pattern.compile("pci-devices\\.(\\d{1,3})\\.(name|address|id)");

    /** Every key this provider understands ({@code pci-devices} stands for its indexed entries). */
    public static final Set<String> KEYS = Set.of(
            "accelerator",
            "qemu-binary",
            "qemu-img-binary",
            "image-catalog",
            "shutdown-timeout-seconds",
            "ssh-probe-timeout-seconds",
            "restrict-network",
            "ssh-port-range",
            PCI_DEVICES);

    public QemuSettings {
        Objects.requireNonNull(accelerator, "accelerator");
        Objects.requireNonNull(qemuBinary, "qemuBinary");
        Objects.requireNonNull(qemuImgBinary, "qemuImgBinary");
        Objects.requireNonNull(catalogFile, "catalogFile");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(sshProbeTimeout, "sshProbeTimeout");
        Objects.requireNonNull(sshPortRange, "sshPortRange");
        pciDevices = List.copyOf(pciDevices);
    }

    /** The settings without a passthrough allow-list (the form before issue #19). */
    public QemuSettings(
            Accelerator accelerator,
            String qemuBinary,
            String qemuImgBinary,
            Optional<Path> catalogFile,
            Duration shutdownTimeout,
            Duration sshProbeTimeout,
            boolean restrictNetwork,
            Optional<PortRange> sshPortRange) {
        this(
                accelerator,
                qemuBinary,
                qemuImgBinary,
                catalogFile,
                shutdownTimeout,
                sshProbeTimeout,
                restrictNetwork,
                sshPortRange,
                List.of());
    }

    /**
     * Parses and validates settings.
     *
     * @throws ProviderException (permanent) naming every unknown key, or the key whose value is
     *     invalid and what values it accepts
     */
    public static QemuSettings parse(Map<String, String> settings) {
        Set<String> unknown = new TreeSet<>(settings.keySet());
        unknown.removeAll(KEYS);
        unknown.removeIf(k -> PCI_DEVICE_KEY.matcher(k).matches());
        if (!unknown.isEmpty()) {
            throw new ProviderException(
                    "unknown qemu provider setting(s) " + unknown + "; known settings are " + new TreeSet<>(KEYS),
                    true);
        }
        Accelerator accelerator;
        try {
            accelerator = Accelerator.parse(settings.getOrDefault("accelerator", "auto"));
        } catch (IllegalArgumentException e) {
            throw new ProviderException("qemu setting " + e.getMessage(), true);
        }
        String restrict = settings.getOrDefault("restrict-network", "false");
        if (!restrict.equals("true") && !restrict.equals("false")) {
            throw new ProviderException(
                    "qemu setting restrict-network must be true or false, got '" + restrict + "'", true);
        }
        return new QemuSettings(
                accelerator,
                nonBlank(settings, "qemu-binary", "qemu-system-x86_64"),
                nonBlank(settings, "qemu-img-binary", "qemu-img"),
                Optional.ofNullable(settings.get("image-catalog")).map(Path::of),
                Duration.ofSeconds(seconds(settings, "shutdown-timeout-seconds", 60)),
                Duration.ofSeconds(seconds(settings, "ssh-probe-timeout-seconds", 10)),
                Boolean.parseBoolean(restrict),
                Optional.ofNullable(settings.get("ssh-port-range")).map(v -> PortRange.parse("ssh-port-range", v)),
                pciDevices(settings));
    }

    /**
     * Reads {@code pci-devices.<index>.name|address|id}: each entry needs a name and exactly one of
     * address and id, an address is listed once, indexes are 0, 1, 2, ... without gaps.
     */
    private static List<PciPassthroughRule> pciDevices(Map<String, String> settings) {
        if (settings.containsKey(PCI_DEVICES))
            throw new ProviderException(
                    "qemu setting pci-devices must be a list of {name, address} or {name, id} mappings, e.g."
                            + " pci-devices: [{name: nvidia.com/gpu, address: \"0000:01:00.0\"}]",
                    true);
        Map<Integer, Map<String, String>> entries = new TreeMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            Matcher m = PCI_DEVICE_KEY.matcher(e.getKey());
            if (m.matches())
                entries.computeIfAbsent(Integer.parseInt(m.group(1)), i -> new TreeMap<>())
                        .put(m.group(2), e.getValue().strip());
        }
        List<PciPassthroughRule> rules = new ArrayList<>();
        Set<String> addresses = new TreeSet<>();
        int expected = 0;
        for (Map.Entry<Integer, Map<String, String>> e : entries.entrySet()) {
            String where = "qemu setting pci-devices[" + e.getKey() + "]";
            if (e.getKey() != expected++)
                throw new ProviderException(where + ": entries must be numbered 0, 1, 2, ... without gaps", true);
            Map<String, String> f = e.getValue();
            if (!f.containsKey("name") || f.containsKey("address") == f.containsKey("id"))
                throw new ProviderException(
                        where + " needs a name and exactly one of address (e.g. \"0000:01:00.0\") or id (e.g."
                                + " \"10de:1eb8\"), got " + f.keySet(),
                        true);
            try {
                PciPassthroughRule rule = f.containsKey("address")
                        ? new PciPassthroughRule.ByAddress(
                                f.get("name"), f.get("address").toLowerCase(Locale.ROOT))
                        : new PciPassthroughRule.ById(f.get("name"), f.get("id").toLowerCase(Locale.ROOT));
                if (rule instanceof PciPassthroughRule.ByAddress a && !addresses.add(a.address()))
                    throw new IllegalArgumentException("PCI address " + a.address() + " is listed twice");
                rules.add(rule);
            } catch (IllegalArgumentException ex) {
                throw new ProviderException(where + ": " + ex.getMessage(), true, ex);
            }
        }
        return rules;
    }

    private static String nonBlank(Map<String, String> settings, String key, String fallback) {
        String value = settings.getOrDefault(key, fallback);
        if (value.isBlank()) throw new ProviderException("qemu setting " + key + " must not be empty", true);
        return value;
    }

    private static long seconds(Map<String, String> settings, String key, long fallback) {
        String value = settings.get(key);
        if (value == null) return fallback;
        try {
            long seconds = Long.parseLong(value.trim());
            if (seconds >= 1 && seconds <= 86_400) return seconds;
        } catch (NumberFormatException e) {
            // reported below with the accepted range
        }
        throw new ProviderException(
                "qemu setting " + key + " must be a whole number of seconds from 1 to 86400, got '" + value + "'",
                true);
    }
}
