package dev.hangar.core.device;

import dev.hangar.core.domain.ConflictException;
import dev.hangar.core.domain.ValidationException;
import dev.hangar.core.domain.Workspace;
import dev.hangar.core.store.Store;
import dev.hangar.provider.spi.DeviceRequest;
import dev.hangar.provider.spi.HostDevices;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Hands out the admin-allowed host PCI devices (issue #19 item 4) so that never more than one
 * workspace holds a device: a claim is a row keyed by the PCI address ({@link
 * dev.hangar.core.store.DeviceClaimStore}), taken in the caller's transaction, so concurrent creates
 * cannot both get one device (SQLite runs write transactions one at a time; on PostgreSQL the
 * primary key makes the second insert wait for the first transaction and then find the address
 * held).
 *
 * <p>The allow-list maps each device name to its host addresses in preference order (the qemu
 * provider's {@code providers.qemu.pci-devices}, ids resolved to addresses). Thread-safe
 * (immutable).
 */
public final class DeviceClaims {
    private final Map<String, List<String>> allowed;
    private final Clock clock;

    /**
     * @param allowed device name to the host PCI addresses that serve it, in the order they are
     *     handed out; empty when this host passes no device through
     * @param clock the claim time source
     */
    public DeviceClaims(Map<String, List<String>> allowed, Clock clock) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        allowed.forEach((name, addresses) -> copy.put(name, List.copyOf(addresses)));
        this.allowed = java.util.Collections.unmodifiableMap(copy);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The server's one call at start: the claims over a provider's allowed host devices, and that
     * provider told to read each workspace's claimed addresses from {@code store} at every start.
     *
     * @param host the host devices of the provider that passes devices through (the qemu
     *     provider's {@code hostDevices()}); empty when it is off: every device request of a local VM
     *     is then refused
     * @param store the control plane's store (read outside any transaction by the provider)
     * @param clock the claim time source
     * @return the claims to take in the create's transaction
     */
    public static DeviceClaims connect(Optional<HostDevices> host, Store store, Clock clock) {
        Objects.requireNonNull(store, "store");
        DeviceClaims claims = new DeviceClaims(host.map(HostDevices::allowed).orElse(Map.of()), clock);
        host.ifPresent(h -> h.useClaims(workspaceId -> claims.addresses(store, workspaceId)));
        return claims;
    }

    /** @return the allow-list: device name to its addresses */
    public Map<String, List<String>> allowed() {
        return allowed;
    }

    /**
     * Makes the workspace hold {@code count} devices of each request, claiming free allowed
     * addresses in allow-list order. Must run inside the caller's transaction (e.g. the one that
     * inserts the workspace), so a failure rolls back every claim this call made. Idempotent: the
     * workspace's existing claims count.
     *
     * @param tx the store view of the caller's transaction
     * @param workspaceId the workspace (must already be inserted in {@code tx})
     * @param requests the workspace's device requests; empty claims nothing
     * @return the workspace's claims after the call, ordered by address
     * @throws ValidationException (field {@code devices}) when a requested name is not on this
     *     host's allow-list, or asks for more than it has
     * @throws ConflictException (field {@code devices}) when too few allowed devices are free, with
     *     a message saying who holds them (by name only the caller's own workspaces): {@code no free
     *     nvidia.com/gpu: 0000:01:00.0 is held by your workspace alice-ws}
     */
    public List<DeviceClaim> claim(Store tx, String workspaceId, List<DeviceRequest> requests) {
        Objects.requireNonNull(tx, "tx");
        Objects.requireNonNull(workspaceId, "workspaceId");
        if (requests.isEmpty()) return tx.deviceClaims().ofWorkspace(workspaceId);
        for (DeviceRequest r : requests) {
            List<String> addresses = allowed.getOrDefault(r.name(), List.of());
            if (addresses.isEmpty())
                throw new ValidationException(
                        "devices",
                        "this server passes no " + r.name() + " through to local VMs; an admin lists host devices"
                                + " in providers.qemu.pci-devices");
            if (r.count() > addresses.size())
                throw new ValidationException(
                        "devices",
                        r + " asks for more than the " + addresses.size() + " " + r.name()
                                + " device(s) this server passes through");
        }
        for (DeviceRequest r : requests) claimOne(tx, workspaceId, r);
        return tx.deviceClaims().ofWorkspace(workspaceId);
    }

    private void claimOne(Store tx, String workspaceId, DeviceRequest r) {
        long held = tx.deviceClaims().ofWorkspace(workspaceId).stream()
                .filter(c -> c.deviceName().equals(r.name()))
                .count();
        List<String> busy = new ArrayList<>();
        for (String address : allowed.get(r.name())) {
            if (held >= r.count()) return;
            if (tx.deviceClaims().claim(address, r.name(), workspaceId, clock.instant())) {
                held++;
            } else {
                busy.add(address);
            }
        }
        if (held >= r.count()) return;
        List<String> holders = new ArrayList<>();
        for (String address : busy) {
            tx.deviceClaims()
                    .find(address)
                    .filter(c -> !c.workspaceId().equals(workspaceId))
                    .ifPresent(c -> holders.add(address + " is held by " + holder(tx, c, workspaceId)));
        }
        if (holders.isEmpty()) holders.add("all " + allowed.get(r.name()).size() + " are held");
        throw new ConflictException("devices", "no free " + r.name() + ": " + String.join(", ", holders));
    }

    /**
     * Names the holder only to its own owner: other users' workspace names are not shown, as
     * everywhere in the API (a workspace one may not see is "not found").
     */
    private static String holder(Store tx, DeviceClaim c, String claimantId) {
        Optional<Workspace> holder = tx.workspaces().find(c.workspaceId());
        Optional<String> claimantOwner = tx.workspaces().find(claimantId).map(Workspace::owner);
        if (holder.isPresent() && claimantOwner.equals(Optional.of(holder.get().owner())))
            return "your workspace " + holder.get().name();
        return "another user's workspace";
    }

    /**
     * Releases all of a workspace's devices (deleting the workspace does too). Idempotent.
     *
     * @return how many were released
     */
    public int release(Store store, String workspaceId) {
        return store.deviceClaims().release(workspaceId);
    }

    /**
     * @return the PCI addresses the workspace holds, ordered by address: what its VM gets passed
     *     through (what {@link #connect} hands the provider's {@link HostDevices#useClaims})
     */
    public List<String> addresses(Store store, String workspaceId) {
        return store.deviceClaims().ofWorkspace(workspaceId).stream()
                .map(DeviceClaim::address)
                .toList();
    }
}
