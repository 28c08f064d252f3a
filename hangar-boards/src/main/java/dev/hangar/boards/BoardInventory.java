package dev.hangar.boards;

import java.util.List;
import java.util.Objects;

/**
 * Renders the Ansible INI inventory of a set of boards in the shape of seed 002's {@code cluster}
 * file: a group of masters and a group of nodes per cluster, the cluster as their parent
 * ({@code [CLUSTER:children]}), cluster vars ({@code ansible_user}, {@code fqdn_master}, and {@code
 * network_address_master} when addresses are static), and the generic {@code master} and {@code
 * nodes} groups as parents of the cluster's. Each host is named by its host name and reached at
 * its static address or its mDNS name {@code HOST.local} ({@code ansible_host}). Pure and
 * thread-safe.
 */
public final class BoardInventory {
    private BoardInventory() {}

    /**
     * One board in the inventory.
     *
     * @param hostname its host name
     * @param address where Ansible connects to it: its static IP address, or its mDNS name {@code
     *     HOST.local}
     */
    public record Host(String hostname, String address) {
        public Host {
            Objects.requireNonNull(hostname, "hostname");
            Objects.requireNonNull(address, "address");
        }

        /** @return a board with a DHCP address, reached at its mDNS name {@code HOST.local} */
        public static Host mdns(String hostname) {
            return new Host(hostname, hostname + ".local");
        }

        /** @return a board reached at its static {@code address} */
        public static Host at(String hostname, Cidr address) {
            return new Host(hostname, address.host());
        }

        /** @return whether it is reached at a static address (not an mDNS name) */
        public boolean staticAddress() {
            return !address.equals(hostname + ".local");
        }
    }

    /**
     * @param cluster the cluster's group name, e.g. {@code cluster-1}
     * @param masters how many of the first hosts are masters (at least 1, at most all)
     * @param hosts the boards, masters first
     * @param user the SSH user Ansible logs in as
     * @return the INI inventory
     * @throws IllegalArgumentException if {@code masters} is out of range
     */
    public static String ini(String cluster, int masters, List<Host> hosts, String user) {
        if (masters < 1 || masters > hosts.size()) {
            throw new IllegalArgumentException(
                    "--masters " + masters + " is out of range: give 1 to " + hosts.size() + " (the number of boards)");
        }
        StringBuilder ini = new StringBuilder();
        String masterGroup = cluster + "-master";
        String nodeGroup = cluster + "-nodes";
        ini.append('[').append(masterGroup).append("]\n");
        hosts.subList(0, masters).forEach(h -> hostLine(ini, h));
        ini.append("\n[").append(nodeGroup).append("]\n");
        hosts.subList(masters, hosts.size()).forEach(h -> hostLine(ini, h));
        ini.append("\n[").append(cluster).append(":children]\n");
        ini.append(masterGroup).append('\n').append(nodeGroup).append('\n');
        Host master = hosts.getFirst();
        ini.append("\n[").append(cluster).append(":vars]\n");
        ini.append("ansible_user=").append(user).append('\n');
        ini.append("fqdn_master=\"").append(master.hostname()).append(".local\"\n");
        if (master.staticAddress()) {
            ini.append("network_address_master=\"").append(master.address()).append("\"\n");
        }
        ini.append("\n[master:children]\n").append(masterGroup).append('\n');
        ini.append("\n[nodes:children]\n").append(nodeGroup).append('\n');
        return ini.toString();
    }

    private static void hostLine(StringBuilder ini, Host h) {
        ini.append(h.hostname()).append(" ansible_host=").append(h.address()).append('\n');
    }
}
