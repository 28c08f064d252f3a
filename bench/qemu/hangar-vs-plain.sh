#!/usr/bin/env bash
# Benchmark (reported, not asserted): the same test image booted through Hangar and by hand, in
# the same run, so both see the same machine load.
#
#   bench/qemu/hangar-vs-plain.sh [IMAGE_DIR] [tcg|kvm]
#
# IMAGE_DIR defaults to the output of tools/test-image/build.sh. Through Hangar (a server on a
# temporary HANGAR_HOME, a free loopback port and an SSH gateway on a free port, image imported
# first, untimed):
#   create->ssh       `hangar create --wait` until the first successful ssh with the pinned host key
#   stop->start->ssh  `hangar stop --wait`, then `hangar start --wait` until the first successful ssh
# then bench/qemu/plain-qemu.sh for the same two figures, and the ratios Hangar / plain.
# Last, the Hangar half's per-phase events (seed, disk, boot, ssh-ready, vm-stopped) beside the
# script's own marks, to place where the difference goes.
# Both use 2 vCPUs and 1 GiB; the Hangar server and everything it created are removed at the end.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
img=${1:-$("$ROOT/tools/test-image/build.sh" | tail -n 1)}
accel=${2:-tcg}
HANGAR_HOME=$(mktemp -d /tmp/hb.XXXXXX)
export HANGAR_HOME
chmod 700 "$HANGAR_HOME"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export HANGAR_LISTEN=127.0.0.1:$port HANGAR_URL=http://127.0.0.1:$port
hangar() { "$ROOT/bin/hangar" "$@"; }
cleanup() {
  hangar delete bench --yes --wait >/dev/null 2>&1 || true
  hangar down >/dev/null 2>&1 || true
  rm -rf "$HANGAR_HOME"
}
trap cleanup EXIT

mkdir -p "$HANGAR_HOME/logs"
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
wait_ssh() {  # first successful ssh with the pinned host key
  local id host_key user p deadline=$((SECONDS + 1500)) json
  json=$(hangar show bench -o json)
  id=$(sed -n 's/^ *"id" *: *"\([^"]*\)".*/\1/p' <<<"$json" | head -n 1)
  user=$(sed -n 's/^ *"owner" *: *"\([^"]*\)".*/\1/p' <<<"$json" | head -n 1)
  host_key=$(sed -n 's/^ *"hostKey" *: *"\([^"]*\)".*/\1/p' <<<"$json" | head -n 1)
  p=$(cat "$HANGAR_HOME/providers/qemu/workspaces/$id/ssh-port")
  echo "[127.0.0.1]:$p $host_key" >"$HANGAR_HOME/known_hosts"
  until ssh -q -F /dev/null -i "$HANGAR_HOME/id" -o IdentitiesOnly=yes -p "$p" \
      -o UserKnownHostsFile="$HANGAR_HOME/known_hosts" -o StrictHostKeyChecking=yes -o BatchMode=yes \
      -o ConnectTimeout=5 "$user@127.0.0.1" true 2>/dev/null; do
    (( SECONDS < deadline )) || { echo "timeout waiting for ssh" >&2; exit 1; }
    sleep 0.5
  done
}

t0=$(now)
hangar create bench --template debian-12 --image bench-image --cpus 2 --memory 1GiB --wait --timeout 25m >/dev/null
t0w=$(now)
wait_ssh
t1=$(now)
hangar stop bench --wait --timeout 5m >/dev/null
t2=$(now)
hangar start bench --wait --timeout 25m >/dev/null
t2w=$(now)
wait_ssh
t3=$(now)
hangar_create=$(echo "$t1 - $t0" | bc)
hangar_restart=$(echo "$t3 - $t1" | bc)
hangar_start=$(echo "$t3 - $t2" | bc)
# The per-phase events (seed, disk, boot, ssh-ready, vm-stopped, ...) with the script's own marks,
# so the overhead can be placed: the events' times are the server's clock, the marks this shell's.
marks=$(for t in "$t0 create" "$t0w create --wait returned" "$t1 first-ssh, stop" "$t2 stop --wait returned, start" \
    "$t2w start --wait returned" "$t3 first-ssh"; do
  printf '%s %s\n' "$(date -u -d "@${t%% *}" +%H:%M:%S.%3N)" "${t#* }"; done)
events=$(hangar events bench --limit 200 2>&1 || true)
hangar delete bench --yes --wait >/dev/null

plain=$("$ROOT/bench/qemu/plain-qemu.sh" "$img" "$accel")
plain_create=$(awk '/create->ssh/ {print $NF}' <<<"$plain")
plain_restart=$(awk '/stop->start->ssh/ {print $NF}' <<<"$plain")
plain_start=$(awk '/ start->ssh/ {print $NF}' <<<"$plain")

printf 'hangar create->ssh        %6.1f s\n' "$hangar_create"
printf 'plain  create->ssh        %6.1f s   ratio %.2f\n' "$plain_create" "$(echo "$hangar_create / $plain_create" | bc -l)"
printf 'hangar stop->start->ssh   %6.1f s   (start alone %.1f s)\n' "$hangar_restart" "$hangar_start"
printf 'plain  stop->start->ssh   %6.1f s   ratio %.2f   (start alone %.1f s, ratio %.2f)\n' "$plain_restart" \
  "$(echo "$hangar_restart / $plain_restart" | bc -l)" "$plain_start" "$(echo "$hangar_start / $plain_start" | bc -l)"
echo "machine load at the end: $(uptime)"
echo "hangar half, this script's marks (UTC):"
echo "$marks"
echo "hangar half, the workspace's events:"
echo "$events"
