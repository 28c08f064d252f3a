package dev.hangar.provider.kubevirt;

import dev.hangar.provider.kubernetes.WorkspaceNames;
import dev.hangar.provider.spi.ProviderException;

/**
 * Names of one KubeVirt workspace's objects, from the Pod provider's {@link WorkspaceNames} base
 * ({@code ws-<owner>-<name>}, hashed beyond 47 characters), so every name fits a 63-character
 * label value and the same spec finds the same objects after a restart.
 *
 * @param base the common prefix
 * @param virtualMachine VirtualMachine name, also its VMI's and the virt-launcher pod's {@code
 *     vm.kubevirt.io/name} label ({@code base})
 * @param rootDisk DataVolume name, also the PersistentVolumeClaim CDI creates for it ({@code base-root})
 * @param cloudInitSecret Secret holding the cloud-init user-data ({@code base-cloudinit})
 * @param service ClusterIP Service for sshd ({@code base})
 */
public record KubevirtNames(
        String base, String virtualMachine, String rootDisk, String cloudInitSecret, String service) {

    /**
     * @throws ProviderException (permanent) if the owner or name is not a DNS-1123 label
     */
    public static KubevirtNames of(String owner, String name) {
        String base = WorkspaceNames.of(owner, name).base();
        return new KubevirtNames(base, base, base + "-root", base + "-cloudinit", base);
    }
}
