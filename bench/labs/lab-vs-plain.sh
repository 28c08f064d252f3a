#!/usr/bin/env bash
# Benchmark (reported, not asserted; not run in CI): a lab of two VMs through Hangar against the
# same two boots with plain QEMU, in the same run, so both see the same machine load.
#
#   bench/labs/lab-vs-plain.sh [IMAGE_DIR] [tcg|kvm]
#
# IMAGE_DIR defaults to the output of tools/test-image/build.sh. Through Hangar (a server on a
# temporary HANGAR_HOME, a free loopback port, a gateway on a free port, the image imported first
# and a template using it, untimed):
#   lab create->ssh   `hangar lab create --group master=1 --group nodes=1 --wait` until BOTH members
#                     answer ssh with their pinned host keys
#   lab reset->ssh    `hangar lab reset --member MASTER --yes --wait` until the master answers ssh
#                     again (stop, fresh disk, first boot)
# then two bench/qemu/plain-qemu.sh at once (their create->ssh: overlay + seed + first boot, the
# slower of the two against lab create, and the first one's against the reset, which is also a
# fresh disk and a first boot), and the ratios Hangar / plain.
# Both sides use 2 vCPUs and 1 GiB per VM; the server and everything it created are removed at the end.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
img=${1:-$("$ROOT/tools/test-image/build.sh" | tail -n 1)}
accel=${2:-tcg}
HANGAR_HOME=$(mktemp -d /tmp/hl.XXXXXX)
export HANGAR_HOME
chmod 700 "$HANGAR_HOME"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export HANGAR_LISTEN=127.0.0.1:$port HANGAR_URL=http://127.0.0.1:$port
hangar() { "$ROOT/bin/hangar" "$@"; }
cleanup() {
  hangar lab delete bench --yes --wait >/dev/null 2>&1 || true
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
defaults: {cpus: 2, memoryMiB: 1024, diskGiB: 4}
limits:
  cpus: {min: 1, max: 2}
  memoryMiB: {min: 512, max: 2048}
  diskGiB: {min: 4, max: 8}
settings: {}
EOT
setsid "$ROOT/bin/hangar" server --home "$HANGAR_HOME" --listen "$HANGAR_LISTEN" \
  --set "providers.qemu.accelerator=$accel" --set gateway.listen-port=0 \
  >>"$HANGAR_HOME/logs/server.log" 2>&1 </dev/null &
echo $! >"$HANGAR_HOME/server.pid"
until curl -fsS "$HANGAR_URL/readyz" >/dev/null 2>&1; do
  kill -0 "$(cat "$HANGAR_HOME/server.pid")" || { cat "$HANGAR_HOME/logs/server.log" >&2; exit 1; }
  sleep 0.5
done
ssh-keygen -q -t ed25519 -N '' -f "$HANGAR_HOME/id" -C bench
hangar key add "$HANGAR_HOME/id.pub" >/dev/null
hangar image import "$img" --name bench-image >/dev/null

now() { date +%s.%N; }
echo "machine load at the start: $(uptime)"
wait_ssh() {  # $1: workspace; first successful ssh with its pinned host key
  local id host_key user p deadline=$((SECONDS + 1500)) json
  json=$(hangar show "$1" -o json)
  id=$(sed -n 's/^ *"id" *: *"\([^"]*\)".*/\1/p' <<<"$json" | head -n 1)
  user=$(sed -n 's/^ *"owner" *: *"\([^"]*\)".*/\1/p' <<<"$json" | head -n 1)
  host_key=$(sed -n 's/^ *"hostKey" *: *"\([^"]*\)".*/\1/p' <<<"$json" | head -n 1)
  p=$(cat "$HANGAR_HOME/providers/qemu/workspaces/$id/ssh-port")
  echo "[127.0.0.1]:$p $host_key" >"$HANGAR_HOME/known_hosts.$1"
  until ssh -q -F /dev/null -i "$HANGAR_HOME/id" -o IdentitiesOnly=yes -p "$p" \
      -o UserKnownHostsFile="$HANGAR_HOME/known_hosts.$1" -o StrictHostKeyChecking=yes -o BatchMode=yes \
      -o ConnectTimeout=5 "$user@127.0.0.1" true 2>/dev/null; do
    (( SECONDS < deadline )) || { echo "timeout waiting for ssh to $1" >&2; exit 1; }
    sleep 0.5
  done
}

t0=$(now)
hangar lab create bench --template bench --group master=1 --group nodes=1 --wait --timeout 25m >/dev/null
wait_ssh bench-master-1
wait_ssh bench-nodes-1
t1=$(now)
hangar lab reset bench --member bench-master-1 --yes --wait --timeout 25m >/dev/null
wait_ssh bench-master-1
t2=$(now)
lab_create=$(echo "$t1 - $t0" | bc)
lab_reset=$(echo "$t2 - $t1" | bc)
hangar lab delete bench --yes --wait >/dev/null

out=$(mktemp -d /tmp/hl-plain.XXXXXX)
"$ROOT/bench/qemu/plain-qemu.sh" "$img" "$accel" >"$out/a" &
a=$!
"$ROOT/bench/qemu/plain-qemu.sh" "$img" "$accel" >"$out/b" &
b=$!
wait "$a" "$b"
plain_a=$(awk '/create->ssh/ {print $NF}' "$out/a")
plain_b=$(awk '/create->ssh/ {print $NF}' "$out/b")
rm -rf "$out"
plain_two=$(echo "if ($plain_a > $plain_b) $plain_a else $plain_b" | bc)

printf 'hangar lab create (2 VMs)->ssh   %6.1f s\n' "$lab_create"
printf 'plain  2 VMs at once->ssh        %6.1f s   ratio %.2f\n' "$plain_two" "$(echo "$lab_create / $plain_two" | bc -l)"
printf 'hangar lab reset (1 member)->ssh %6.1f s\n' "$lab_reset"
printf 'plain  fresh disk->ssh (1 VM)    %6.1f s   ratio %.2f\n' "$plain_a" "$(echo "$lab_reset / $plain_a" | bc -l)"
echo "machine load at the end: $(uptime)"
