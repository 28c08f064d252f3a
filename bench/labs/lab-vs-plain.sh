#!/usr/bin/env bash
# Benchmark (reported, not asserted; not run in CI): the issue #13 figures, all through one Hangar
# server in one run, so every figure sees the same machine:
#
#   bench/labs/lab-vs-plain.sh [IMAGE_DIR] [tcg|kvm]
#
# IMAGE_DIR defaults to the output of tools/test-image/build.sh. A server on a temporary
# HANGAR_HOME (a free loopback port, a gateway on a free port, the image imported first and a
# template "bench" using it with no cloud-init extras, untimed), then, timed:
#   lab create       `hangar lab create bench --group nodes=3 --wait` until all three members answer
#                    ssh with their pinned host keys (the members boot concurrently)
#   lab reset        `hangar lab reset bench --yes --wait` (all three: stop, fresh disk, first boot)
#                    until all three answer ssh again
#   3 x create       `hangar create plain-N --wait` until it answers ssh, three times one after the
#                    other (the lab deleted first, so both sides run three VMs at most)
# and prints the ratios lab create / 3 sequential creates and lab reset / lab create, with the
# machine's load (uptime) before and after each step. Every VM has 1 vCPU and 512 MiB; the server
# and everything it created are removed at the end.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$ROOT/bench/lib/server.sh"
. "$ROOT/bench/lib/workspace-ssh.sh"
img=${1:-$("$ROOT/tools/test-image/build.sh" | tail -n 1)}
accel=${2:-tcg}
HANGAR_HOME=$(mktemp -d /tmp/hl.XXXXXX)
export HANGAR_HOME
chmod 700 "$HANGAR_HOME"
port=$(free_port)
export HANGAR_LISTEN=127.0.0.1:$port HANGAR_URL=http://127.0.0.1:$port
hangar() { "$ROOT/bin/hangar" "$@"; }
cleanup() {
  hangar lab delete bench --yes --wait >/dev/null 2>&1 || true
  for n in 1 2 3; do hangar delete "plain-$n" --yes --wait >/dev/null 2>&1 || true; done
  hangar down >/dev/null 2>&1 || true
  rm -rf "$HANGAR_HOME"
}
trap cleanup EXIT

mkdir -p "$HANGAR_HOME/logs" "$HANGAR_HOME/templates"
cat >"$HANGAR_HOME/templates/bench.yaml" <<EOT
name: bench
description: the test image, for bench/labs
provider: qemu
image: bench-image
defaults: {cpus: 1, memoryMiB: 512, diskGiB: 4}
limits:
  cpus: {min: 1, max: 2}
  memoryMiB: {min: 512, max: 2048}
  diskGiB: {min: 4, max: 8}
settings: {}
EOT
start_server "$ROOT/bin/hangar" "$HANGAR_HOME" "$HANGAR_LISTEN" \
  --set "providers.qemu.accelerator=$accel" --set gateway.listen-port=0
ssh-keygen -q -t ed25519 -N '' -f "$HANGAR_HOME/id" -C bench
hangar key add "$HANGAR_HOME/id.pub" >/dev/null
hangar image import "$img" --name bench-image >/dev/null

now() { date +%s.%N; }
load() { uptime | sed 's/.*load average: //'; }
wait_ssh() { wait_workspace_ssh "$1" "$HANGAR_HOME/id"; }  # bench/lib/workspace-ssh.sh
members=(bench-nodes-1 bench-nodes-2 bench-nodes-3)

echo "load before lab create:  $(load)"
t0=$(now)
hangar lab create bench --template bench --group nodes=3 --wait --timeout 30m >/dev/null
for m in "${members[@]}"; do wait_ssh "$m"; done
t1=$(now)
echo "load after lab create:   $(load)"
hangar lab reset bench --yes --wait --timeout 30m >/dev/null
for m in "${members[@]}"; do wait_ssh "$m"; done
t2=$(now)
echo "load after lab reset:    $(load)"
hangar lab delete bench --yes --wait >/dev/null
seq_each=()
t3=$(now)
for n in 1 2 3; do
  s=$(now)
  hangar create "plain-$n" --template bench --wait --timeout 30m >/dev/null
  wait_ssh "plain-$n"
  seq_each+=("$(printf '%.1f' "$(echo "$(now) - $s" | bc)")")
done
t4=$(now)
echo "load after 3 x create:   $(load)"

lab_create=$(echo "$t1 - $t0" | bc)
lab_reset=$(echo "$t2 - $t1" | bc)
seq_three=$(echo "$t4 - $t3" | bc)
printf 'lab create (3 VMs at once)->ssh  %7.1f s\n' "$lab_create"
printf '3 x create --wait in turn->ssh   %7.1f s   (each: %s s)   ratio lab/sequential %.2f\n' \
  "$seq_three" "${seq_each[*]}" "$(echo "$lab_create / $seq_three" | bc -l)"
printf 'lab reset (3 VMs)->ssh           %7.1f s   ratio reset/create %.2f\n' \
  "$lab_reset" "$(echo "$lab_reset / $lab_create" | bc -l)"
