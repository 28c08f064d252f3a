package dev.hangar.provider.vm;

import dev.hangar.provider.spi.LabNetwork;
import dev.hangar.provider.spi.WorkspaceSpec;
import java.util.Map;

/**
 * Renders a lab member's whole {@code /etc/hosts} (hosts(5)): the loopback names and every lab
 * member's name at its lab address. Pure; thread-safe.
 *
 * <p>Why a whole file written by cloud-init's {@code write_files}, with {@code manage_etc_hosts:
 * false}: cloud-init's own {@code manage_etc_hosts} only knows the VM's own name, and with it on it
 * re-renders {@code /etc/hosts} from a distribution-specific template on every boot, after {@code
 * write_files}, so appended lines would be lost. A whole file is distribution independent and
 * written once per instance, i.e. at the first boot and again after a reset (a new instance).
 *
 * <p>The member's own name resolves to its lab address, not to {@code 127.0.1.1} (which Debian's
 * template would give it first): cluster tools such as kubeadm take a node's address from its own
 * name. A member whose name the lab's hosts lack gets the {@code 127.0.1.1} line instead, so that
 * sudo still resolves it.
 */
public final class EtcHosts {
    /** Where the file goes in the guest. */
    public static final String PATH = "/etc/hosts";

    private EtcHosts() {}

    /**
     * @return the file's text, one entry a line, members in name order
     * @throws IllegalArgumentException for a workspace on no lab (it keeps cloud-init's own file)
     */
    public static String render(WorkspaceSpec spec) {
        LabNetwork lab = spec.labNetwork();
        if (lab.isNone()) throw new IllegalArgumentException("workspace " + spec.name() + " is on no lab");
        StringBuilder s = new StringBuilder();
        s.append("# Written by Hangar at first boot (and at a reset): this lab's members.\n");
        s.append("127.0.0.1 localhost\n");
        if (!lab.hosts().containsKey(spec.name()))
            s.append("127.0.1.1 ").append(spec.name()).append('\n');
        s.append("::1 localhost ip6-localhost ip6-loopback\n");
        s.append("ff02::1 ip6-allnodes\n");
        s.append("ff02::2 ip6-allrouters\n");
        for (Map.Entry<String, String> host : lab.hosts().entrySet()) {
            s.append(host.getValue()).append(' ').append(host.getKey()).append('\n');
        }
        return s.toString();
    }
}
