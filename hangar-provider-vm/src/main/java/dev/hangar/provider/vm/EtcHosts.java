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
 * <p>The members' lines are one marked block ({@link #BEGIN} to {@link #END}), which {@link
 * #REFRESH_SCRIPT} puts back at every boot: a playbook or package that rewrote the file, or a
 * template's own {@code write_files} entry for it, loses the lab's names for one boot at most, and
 * lines outside the block (e.g. a playbook's own entries) are kept.
 *
 * <p>The member's own name resolves to its lab address, not to {@code 127.0.1.1} (which Debian's
 * template would give it first): cluster tools such as kubeadm take a node's address from its own
 * name. A member whose name the lab's hosts lack gets the {@code 127.0.1.1} line instead, so that
 * sudo still resolves it.
 */
public final class EtcHosts {
    /** Where the file goes in the guest. */
    public static final String PATH = "/etc/hosts";

    /** The first line of the members' block. */
    public static final String BEGIN = "# BEGIN hangar lab members (rewritten at every boot)";

    /** The last line of the members' block. */
    public static final String END = "# END hangar lab members";

    /**
     * A POSIX sh script, run by cloud-init's {@code bootcmd} at every boot as {@code sh -c SCRIPT
     * hangar-lab-hosts BLOCK FILE}: replaces the lines from {@link #BEGIN} to {@link #END} in FILE
     * with BLOCK (appended when FILE has none, FILE created when missing), keeping every other line,
     * through a temporary file renamed over FILE so a crash leaves the old file or the new one.
     * Idempotent.
     */
    public static final String REFRESH_SCRIPT = "f=$2; t=$(mktemp \"$f.hangar.XXXXXX\") || exit 1;"
            + " { if [ -f \"$f\" ]; then sed '/^" + BEGIN + "$/,/^" + END + "$/d' \"$f\"; fi;"
            + " printf '%s' \"$1\"; } > \"$t\" && chmod 0644 \"$t\" && mv -f \"$t\" \"$f\""
            + " || { rm -f \"$t\"; exit 1; }";

    private EtcHosts() {}

    /**
     * @return the members' block: {@link #BEGIN}, every member's lab address and name (one a line,
     *     in the lab's order), {@link #END}, each line ending in a newline
     * @throws IllegalArgumentException for a workspace on no lab
     */
    public static String block(WorkspaceSpec spec) {
        LabNetwork lab = spec.labNetwork();
        if (lab.isNone()) throw new IllegalArgumentException("workspace " + spec.name() + " is on no lab");
        StringBuilder s = new StringBuilder(BEGIN).append('\n');
        for (Map.Entry<String, String> host : lab.hosts().entrySet()) {
            s.append(host.getValue()).append(' ').append(host.getKey()).append('\n');
        }
        return s.append(END).append('\n').toString();
    }

    /**
     * @return the file's text, one entry a line, the members' {@link #block} last
     * @throws IllegalArgumentException for a workspace on no lab (it keeps cloud-init's own file)
     */
    public static String render(WorkspaceSpec spec) {
        LabNetwork lab = spec.labNetwork();
        if (lab.isNone()) throw new IllegalArgumentException("workspace " + spec.name() + " is on no lab");
        StringBuilder s = new StringBuilder();
        s.append("# Written by Hangar at first boot (and at a reset); the members' block at every boot.\n");
        s.append("127.0.0.1 localhost\n");
        if (!lab.hosts().containsKey(spec.name()))
            s.append("127.0.1.1 ").append(spec.name()).append('\n');
        s.append("::1 localhost ip6-localhost ip6-loopback\n");
        s.append("ff02::1 ip6-allnodes\n");
        s.append("ff02::2 ip6-allrouters\n");
        return s.append(block(spec)).toString();
    }
}
