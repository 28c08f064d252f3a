package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.ProviderException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

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
 * </ul>
 *
 * @param catalogFile empty for the catalog shipped with the module
 * @param sshPortRange empty for the kernel's choice
 */
public record QemuSettings(
        Accelerator accelerator,
        String qemuBinary,
        String qemuImgBinary,
        Optional<Path> catalogFile,
        Duration shutdownTimeout,
        Duration sshProbeTimeout,
        boolean restrictNetwork,
        Optional<PortRange> sshPortRange) {

    /** Every key this provider understands. */
    public static final Set<String> KEYS = Set.of(
            "accelerator",
            "qemu-binary",
            "qemu-img-binary",
            "image-catalog",
            "shutdown-timeout-seconds",
            "ssh-probe-timeout-seconds",
            "restrict-network",
            "ssh-port-range");

    public QemuSettings {
        Objects.requireNonNull(accelerator, "accelerator");
        Objects.requireNonNull(qemuBinary, "qemuBinary");
        Objects.requireNonNull(qemuImgBinary, "qemuImgBinary");
        Objects.requireNonNull(catalogFile, "catalogFile");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(sshProbeTimeout, "sshProbeTimeout");
        Objects.requireNonNull(sshPortRange, "sshPortRange");
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
                Optional.ofNullable(settings.get("ssh-port-range")).map(v -> PortRange.parse("ssh-port-range", v)));
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
