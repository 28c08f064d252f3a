#!/usr/bin/env bash
# Checks that the server image runs: loads image.tar (bin/server-image's output) into a throwaway
# Podman store, starts it the way deploy/ does (read-only root file system, /tmp and HANGAR_HOME
# writable, all capabilities dropped, no privilege escalation) with host networking inside a network
# namespace this script creates, and asks GET /healthz and GET /readyz over that namespace's loopback.
# Also checks that the server process runs as uid 10001, not root.
#
#   tools/server-image/run-check.sh [IMAGE_DIR]    (default hangar-dist/target/server-image)
#
# Exit 0 and "run-check: ok ..." with the wall time when both answer 200 within 120 s; exit 1 with the
# container's log otherwise. Everything it starts (the container, conmon, the namespace, the store
# under a fresh temporary directory) is removed on exit, also on failure or Ctrl-C.
#
# Needs: root (network namespace), podman with runc (shared/MACHINE.md's recipe: runc, nofile/nproc
# ulimits, cgroupfs), ip, nsenter, curl. Missing tools exit 2 with a message (CI: skip, saying so).
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
image_dir="${1:-$ROOT/hangar-dist/target/server-image}"
log() { echo "run-check: $*" >&2; }
[[ $(id -u) == 0 ]] || { log "needs root (a network namespace)"; exit 2; }
for tool in podman ip nsenter curl; do
  command -v "$tool" >/dev/null || { log "$tool is not installed (apt-get install podman iproute2 util-linux curl)"; exit 2; }
done
[[ -f "$image_dir/image.tar" && -f "$image_dir/tag" ]] || { log "no image in $image_dir: run bin/server-image"; exit 2; }
tag=$(cat "$image_dir/tag")
start_ns=$(date +%s%N)

id=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
netns="hsi$id"
name="hangar-run-check-$id"
dir=$(mktemp -d "/tmp/hsi-$id.XXXXXX")
export CONTAINERS_CONF="$dir/containers.conf" CONTAINERS_STORAGE_CONF="$dir/storage.conf"
in_ns() { nsenter --net="/run/netns/$netns" "$@"; }

cleanup() {
  set +e
  in_ns podman rm -f -t 5 "$name" >/dev/null 2>&1
  if [[ -e "/run/netns/$netns" ]]; then
    # what still runs in the namespace was started for this check (conmon, the server)
    pids=$(ip netns pids "$netns")
    [[ -n "$pids" ]] && kill -9 $pids 2>/dev/null
    ip netns del "$netns"
  fi
  awk -v p="$dir/" 'index($5, p) == 1 {print $5}' /proc/self/mountinfo | sort -r | xargs -r umount -l
  rm -rf "$dir"
}
trap cleanup EXIT

mkdir -p "$dir/storage" "$dir/run" "$dir/tmp" "$dir/home"
cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "vfs"
graphroot = "$dir/storage"
runroot = "$dir/run"
EOF
cat >"$CONTAINERS_CONF" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=20000:20000"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/events.log"
tmp_dir = "$dir/tmp"
EOF
# HANGAR_HOME on a "volume" owned by the image's user, as fsGroup makes it in deploy/.
chown 10001:10001 "$dir/home"

ip netns add "$netns"
in_ns ip link set lo up
log "loading $image_dir/image.tar ($tag)"
in_ns podman load -q -i "$image_dir/image.tar" >&2
in_ns podman run -d --name "$name" --network host --read-only --tmpfs /tmp:rw,mode=1777 \
  --cap-drop ALL --security-opt no-new-privileges -v "$dir/home:/var/lib/hangar" "$tag" >/dev/null

ok=false
for _ in $(seq 1 240); do
  state=$(in_ns podman inspect -f '{{.State.Running}}' "$name" 2>/dev/null || echo false)
  [[ "$state" == true ]] || break
  if in_ns curl -fsS -m 2 -o /dev/null http://127.0.0.1:8080/healthz 2>/dev/null \
    && in_ns curl -fsS -m 2 -o /dev/null http://127.0.0.1:8080/readyz 2>/dev/null; then
    ok=true
    break
  fi
  sleep 0.5
done
if ! $ok; then
  log "FAILED: /healthz and /readyz did not both answer 200 within 120 s (running: ${state:-?}); container log:"
  in_ns podman logs "$name" >&2 || true
  exit 1
fi
# The server's JVM runs as the image's non-root user.
uids=$(for p in $(ip netns pids "$netns"); do
  [[ "$(readlink "/proc/$p/exe" 2>/dev/null)" == */opt/hangar/jre/bin/java ]] && awk '/^Uid:/ {print $2}' "/proc/$p/status"
done | sort -u)
if [[ "$uids" != 10001 ]]; then
  log "FAILED: the server runs as uid '${uids:-none found}', want 10001"
  exit 1
fi
wall_ms=$((($(date +%s%N) - start_ns) / 1000000))
healthz=$(in_ns curl -fsS -m 2 http://127.0.0.1:8080/healthz | tr -d '\n')
log "ok: $tag answered /healthz ($healthz) and /readyz as uid 10001 in a fresh netns; wall time $((wall_ms / 1000)).$((wall_ms % 1000 / 100)) s (load + start + ready)"
