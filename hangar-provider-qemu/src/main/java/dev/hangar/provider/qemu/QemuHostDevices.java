package dev.hangar.provider.qemu;

import dev.hangar.provider.spi.HostDevices;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The qemu provider's {@link HostDevices}: the {@code pci-devices} allow-list with its ids resolved
 * to this host's PCI addresses ({@link VfioHostCheck#allowed}) when the provider is created, and
 * the control plane's claims handed to the {@link VmLauncher}, which passes a workspace's claimed
 * addresses through at each start. Thread-safe.
 */
final class QemuHostDevices implements HostDevices {
    private final Map<String, List<String>> allowed;
    private final VmLauncher launcher;

    QemuHostDevices(Map<String, List<String>> allowed, VmLauncher launcher) {
        this.allowed = Collections.unmodifiableMap(new LinkedHashMap<>(allowed));
        this.launcher = Objects.requireNonNull(launcher, "launcher");
    }

    @Override
    public Map<String, List<String>> allowed() {
        return allowed;
    }

    @Override
    public void useClaims(Function<String, List<String>> claims) {
        launcher.useClaims(claims);
    }
}
