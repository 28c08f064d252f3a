#!/usr/bin/env bash
# Tears down a cluster that up.sh started in STATE_DIR and removes every trace of it.
#
# Usage: down.sh STATE_DIR
# Order: ask the API to delete all pods (so the kubelet stops containers and releases pod network
# namespaces and mounts cleanly), then stop the kubelet and kube-proxy, kill every container
# process of this cluster's containerd shims, the shims, containerd and the control plane
# (SIGTERM, then SIGKILL after 10 s), unmount everything mounted below STATE_DIR, delete the
# network namespace (which removes the veth pair and the namespace's iptables rules), remove the
# kubelet's pod logs in /var/log/pods and /var/log/containers, and remove STATE_DIR.
# Finally it checks that no process, mount, namespace, veth or pod log of the cluster is left and
# fails (exit 1, naming what is left) otherwise. Idempotent: a missing or empty STATE_DIR is fine.
set -uo pipefail

log() { echo "k8s/down.sh: $*" >&2; }
[[ $# -eq 1 ]] || { log "usage: down.sh STATE_DIR"; exit 2; }
state="${1%/}"
[[ "$state" == /* ]] || { log "STATE_DIR must be an absolute path, got '$state'"; exit 2; }
[[ "$(id -u)" == 0 ]] || { log "must run as root"; exit 2; }
id="$(echo -n "$state" | sha256sum | cut -c1-6)"
ns="hangar-k8s-$id"
veth="hk8s-$id"
[[ -f "$state/netns" ]] && ns="$(cat "$state/netns")"
[[ -f "$state/veth" ]] && veth="$(cat "$state/veth")"
sock="$state/containerd/containerd.sock"

alive() { [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null; }
pid_of() { [[ -f "$state/pids/$1.pid" ]] && cat "$state/pids/$1.pid"; }
# stop PIDS...: SIGTERM, wait up to 10 s, then SIGKILL.
stop() {
    local pid waited=0
    for pid in "$@"; do alive "$pid" && kill -TERM "$pid" 2>/dev/null; done
    while ((waited < 50)); do
        local any=0
        for pid in "$@"; do alive "$pid" && any=1; done
        ((any == 0)) && return 0
        sleep 0.2
        waited=$((waited + 1))
    done
    for pid in "$@"; do alive "$pid" && kill -KILL "$pid" 2>/dev/null; done
    sleep 0.2
}
# Processes whose command line mentions the state directory (shims get the containerd socket).
mentioning_state() {
    local p
    for p in /proc/[0-9]*; do
        { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF -- "$state/" && echo "${p#/proc/}"
    done
}
descendants() {
    local parent="$1" child
    for child in $(ps -o pid= --ppid "$parent" 2>/dev/null); do
        echo "$child"
        descendants "$child"
    done
}
# Processes in the cluster's network namespace.
in_netns() {
    local p target
    target="$(stat -L -c %i "/run/netns/$ns" 2>/dev/null)" || return 0
    for p in /proc/[0-9]*; do
        [[ "$(stat -L -c %i "$p/ns/net" 2>/dev/null)" == "$target" ]] && echo "${p#/proc/}"
    done
}

pod_uids=()
kubectl="$(cat "$state/bin" 2>/dev/null)/kubectl"
if [[ -f "$state/kubeconfig" && -x "$kubectl" ]] && alive "$(pid_of kubelet)" && alive "$(pid_of kube-apiserver)"; then
    mapfile -t pod_uids < <("$kubectl" --kubeconfig "$state/kubeconfig" --request-timeout=5s get pods -A \
        -o jsonpath='{range .items[*]}{.metadata.uid}{"\n"}{end}' 2>/dev/null)
    if ((${#pod_uids[@]} > 0)); then
        log "deleting ${#pod_uids[@]} pod(s) through the API"
        "$kubectl" --kubeconfig "$state/kubeconfig" --request-timeout=20s delete pods -A --all \
            --grace-period=0 --force --wait=true --timeout=30s >/dev/null 2>&1 || true
        # The kubelet tears the sandboxes down asynchronously after the API objects are gone.
        for _ in $(seq 1 50); do
            [[ -n "$(ls "$state/containerd/state/netns" 2>/dev/null)" ]] || break
            sleep 0.2
        done
    fi
fi

# Pod log directories are named NAMESPACE_POD_UID; the uids of pods still known to the kubelet are
# also its pod directories.
if [[ -d "$state/kubelet/pods" ]]; then
    mapfile -t -O "${#pod_uids[@]}" pod_uids < <(ls "$state/kubelet/pods")
fi

stop $(pid_of kubelet) $(pid_of kube-proxy)
shims=()
for pid in $(mentioning_state); do
    { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q containerd-shim && shims+=("$pid")
done
if ((${#shims[@]} > 0)); then
    log "killing ${#shims[@]} containerd shim(s) and their containers"
    containers=()
    for shim in "${shims[@]}"; do mapfile -t -O "${#containers[@]}" containers < <(descendants "$shim"); done
    ((${#containers[@]} > 0)) && kill -KILL "${containers[@]}" 2>/dev/null
    stop "${shims[@]}"
fi
stop $(pid_of containerd)
stop $(pid_of kube-scheduler) $(pid_of kube-controller-manager)
stop $(pid_of kube-apiserver)
stop $(pid_of etcd)
# Anything else still running from this cluster (a daemon whose pid file was lost, a leftover
# container process).
leftover="$( (mentioning_state; in_netns) | sort -u | grep -vx "$$" || true)"
if [[ -n "$leftover" ]]; then
    log "killing leftover processes: $(echo $leftover)"
    stop $leftover
fi

if [[ -d "$state" ]]; then
    # Deepest first: overlay rootfs, secret tmpfs, shm and netns bind mounts.
    mapfile -t mounts < <(awk -v s="$state/" 'index($5, s) == 1 {print $5}' /proc/self/mountinfo | sort -r)
    for m in "${mounts[@]}"; do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
    done
fi

if [[ -e "/run/netns/$ns" ]]; then
    ip netns delete "$ns" 2>/dev/null || log "could not delete network namespace $ns"
fi
ip link show "$veth" >/dev/null 2>&1 && ip link delete "$veth" 2>/dev/null

for uid in "${pod_uids[@]}"; do
    [[ -n "$uid" ]] || continue
    for d in /var/log/pods/*_"$uid"; do
        [[ -e "$d" ]] && rm -rf "$d"
    done
done
# The kubelet's symlinks in /var/log/containers point into /var/log/pods; drop the dangling ones.
if [[ -d /var/log/containers ]]; then
    find /var/log/containers -maxdepth 1 -xtype l -delete 2>/dev/null
fi

rm -rf "$state"

# Verify.
problems=()
[[ -e "/run/netns/$ns" ]] && problems+=("network namespace $ns")
ip link show "$veth" >/dev/null 2>&1 && problems+=("veth $veth")
[[ -e "$state" ]] && problems+=("directory $state")
left="$(mentioning_state | grep -vx "$$" || true)"
[[ -n "$left" ]] && problems+=("processes $(echo $left)")
awk -v s="$state/" 'index($5, s) == 1 {found = 1} END {exit !found}' /proc/self/mountinfo \
    && problems+=("mounts below $state")
for uid in "${pod_uids[@]}"; do
    [[ -n "$uid" ]] && compgen -G "/var/log/pods/*_$uid" >/dev/null && problems+=("pod logs of $uid")
done
if ((${#problems[@]} > 0)); then
    log "error: left behind: ${problems[*]}"
    exit 1
fi
exit 0
