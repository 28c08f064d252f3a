package dev.hangar.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether this replica leads, as {@code /readyz} shows it. Every replica is ready (it serves the API
 * and the gateway) whether or not it leads.
 *
 * @param mode {@code none} or {@code kubernetes} ({@code leader-election.mode})
 * @param leading true when this replica runs the reconciler and the background jobs
 * @param identity this replica's identity (Lease holder and reconcile-claim holder)
 * @param leader the identity the Lease names as leader; empty when unknown or without election
 * @param lease {@code NAMESPACE/NAME} of the Lease; empty without election
 */
record Leadership(String mode, boolean leading, String identity, String leader, String lease) {

    /** @return the fields as {@code /readyz} adds them to its body */
    Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("leader-election", mode);
        m.put("leading", leading);
        m.put("identity", identity);
        if (!leader.isEmpty()) m.put("leader", leader);
        if (!lease.isEmpty()) m.put("lease", lease);
        return m;
    }
}
