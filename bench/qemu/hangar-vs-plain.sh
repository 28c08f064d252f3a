#!/usr/bin/env bash
# Benchmark (reported, not asserted): the same test image booted through Hangar and by hand, in
# the same run, so both see the same machine load.
#
#   bench/qemu/hangar-vs-plain.sh [IMAGE_DIR] [tcg|kvm]
#
# IMAGE_DIR defaults to the output of tools/test-image/build.sh. Through Hangar (a server on a
# temporary HANGAR_HOME, a free loopback port and an SSH gateway on a free port, image imported
# first, untimed):
#   create->ssh       `hangar create --wait -o json` until the first successful ssh with the pinned
#                     host key (the workspace's id, user and host key come from create's own answer,
#                     the forwarded port from the provider's file: no second CLI call before the ssh)
#   stop->start->ssh  `hangar stop --wait`, then `hangar start --wait` until the first successful ssh
#                     (a cold boot; done COLD_CYCLES times, default 3: the first is the ratio's figure)
#   resume->ssh       issue #18 item 1, the server path: `hangar stop --suspend --wait`, then
#                     `hangar start --wait` until the first successful ssh, RESUME_CYCLES times
#                     (default 3); printed as the median beside the cold cycles' median
# then bench/qemu/plain-qemu.sh for create and stop/start, and the ratios Hangar / plain.
# Last, the Hangar half's per-phase events (seed, disk, boot, ssh-ready, vm-resumed, vm-stopped,
# phase changes; server clock, milliseconds) beside the script's own marks.
#
# The template: by default `bench-vm`, written into the temporary HANGAR_HOME's templates/, the
# built-in debian-12 template without its cloud-init `packages: [usbip, usbutils]` and `runcmd`
# (a first-boot apt-get update + install, which is the template's content, not control-plane work,
# and which the plain baseline does not do): so both seeds differ only in Hangar's own parts (host
# name, user, sshd drop-in, pinned host key and certificate, the RTC clock unit). BENCH_TEMPLATE=
# debian-12 measures with the built-in template instead.
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

mkdir -p "$HANGAR_HOME/logs" "$HANGAR_HOME/templates"
template=${BENCH_TEMPLATE:-bench-vm}
cold_cycles=${COLD_CYCLES:-3}
resume_cycles=${RESUME_CYCLES:-3}
cat >"$HANGAR_HOME/templates/bench-vm.yaml" <<'EOT'
name: bench-vm
description: bench/qemu's template, the built-in debian-12 without its first-boot package install
provider: qemu
image: debian-12
defaults: {cpus: 2, memoryMiB: 1024, diskGiB: 16}
limits:
  cpus: {min: 1, max: 32}
  memoryMiB: {min: 512, max: 131072}
  diskGiB: {min: 4, max: 2048}
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
wait_ssh() {  # first successful ssh with the pinned host key; $id, $user and $host_key from create
  local p deadline=$((SECONDS + 1500))
  p=$(cat "$HANGAR_HOME/providers/qemu/workspaces/$id/ssh-port")
  echo "[127.0.0.1]:$p $host_key" >"$HANGAR_HOME/known_hosts"
  until ssh -q -F /dev/null -i "$HANGAR_HOME/id" -o IdentitiesOnly=yes -p "$p" \
      -o UserKnownHostsFile="$HANGAR_HOME/known_hosts" -o StrictHostKeyChecking=yes -o BatchMode=yes \
      -o ConnectTimeout=5 "$user@127.0.0.1" true 2>/dev/null; do
    (( SECONDS < deadline )) || { echo "timeout waiting for ssh" >&2; exit 1; }
    sleep 0.5
  done
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
marks=""
mark() { marks+="$(date -u -d "@$1" +%H:%M:%S.%3N) $2"$'\n'; }

t0=$(now)
json=$(hangar create bench --template "$template" --image bench-image --cpus 2 --memory 1GiB --wait --timeout 25m -o json)
t0w=$(now)
id=$(jq -r .id <<<"$json")
user=$(jq -r .owner <<<"$json")
host_key=$(jq -r .hostKey <<<"$json")
wait_ssh
t1=$(now)
mark "$t0" "create"; mark "$t0w" "create --wait returned"; mark "$t1" "first ssh"
hangar_create=$(echo "$t1 - $t0" | bc)
cold=(); cold_start=()
for ((i = 1; i <= cold_cycles; i++)); do
  ts=$(now)
  hangar stop bench --wait --timeout 5m >/dev/null
  tsw=$(now)
  hangar start bench --wait --timeout 25m >/dev/null
  tw=$(now)
  wait_ssh
  te=$(now)
  mark "$ts" "cold $i: stop"; mark "$tsw" "cold $i: stop --wait returned, start"
  mark "$tw" "cold $i: start --wait returned"; mark "$te" "cold $i: first ssh"
  cold+=("$(echo "$te - $ts" | bc)"); cold_start+=("$(echo "$te - $tsw" | bc)")
done
resumed=(); suspend=()
for ((i = 1; i <= resume_cycles; i++)); do
  ts=$(now)
  hangar stop bench --suspend --wait --timeout 5m >/dev/null
  tsw=$(now)
  hangar start bench --wait --timeout 25m >/dev/null
  tw=$(now)
  wait_ssh
  te=$(now)
  mark "$ts" "resume $i: stop --suspend"; mark "$tsw" "resume $i: stop --suspend --wait returned, start"
  mark "$tw" "resume $i: start --wait returned"; mark "$te" "resume $i: first ssh"
  suspend+=("$(echo "$tsw - $ts" | bc)"); resumed+=("$(echo "$te - $tsw" | bc)")
done
# After the timing: what cloud-init spent in the guest's first and second boot (its two slowest
# modules of each stage are where the seeds' difference would show), beside plain-qemu.sh's.
blame=$(ssh -q -F /dev/null -i "$HANGAR_HOME/id" -o IdentitiesOnly=yes -p "$(cat "$HANGAR_HOME/providers/qemu/workspaces/$id/ssh-port")" \
    -o UserKnownHostsFile="$HANGAR_HOME/known_hosts" -o BatchMode=yes "$user@127.0.0.1" \
    sudo cloud-init analyze blame </dev/null 2>&1 | awk '/Boot Record/ {n++} n == 1 || n == 2' | grep -v '^ *$' | head -n 40 || true)
hangar_restart=${cold[0]}
hangar_start=${cold_start[0]}
# The per-phase events (seed, disk, boot, ssh-ready, vm-resumed, phase changes, ...) with the
# script's own marks, so the overhead can be placed: the events' times are the server's clock
# (milliseconds), the marks this shell's.
events=$(hangar events bench --limit 400 -o json 2>&1 \
  | jq -r 'sort_by(.seq) | .[] | "\(.at | sub("^[0-9-]+T"; "") | sub("Z$"; "")) \(.type) \(.message)"' 2>&1 || true)
hangar delete bench --yes --wait >/dev/null

plain=$("$ROOT/bench/qemu/plain-qemu.sh" "$img" "$accel")
plain_create=$(awk '/create->ssh/ {print $NF}' <<<"$plain")
plain_restart=$(awk '/stop->start->ssh/ {print $NF}' <<<"$plain")
plain_start=$(awk '/ start->ssh/ {print $NF}' <<<"$plain")

printf 'hangar create->ssh        %6.1f s   (template %s)\n' "$hangar_create" "$template"
printf 'plain  create->ssh        %6.1f s   ratio %.2f\n' "$plain_create" "$(echo "$hangar_create / $plain_create" | bc -l)"
printf 'hangar stop->start->ssh   %6.1f s   (start alone %.1f s)\n' "$hangar_restart" "$hangar_start"
printf 'plain  stop->start->ssh   %6.1f s   ratio %.2f   (start alone %.1f s, ratio %.2f)\n' "$plain_restart" \
  "$(echo "$hangar_restart / $plain_restart" | bc -l)" "$plain_start" "$(echo "$hangar_start / $plain_start" | bc -l)"
cold_med=$(printf '%s\n' "${cold_start[@]}" | median)
resume_med=$(printf '%s\n' "${resumed[@]}" | median)
printf 'hangar cold start->ssh    %s s, median %.2f s   (start --wait + ssh after a stop)\n' \
  "$(printf '%.2f ' "${cold_start[@]}")" "$cold_med"
printf 'hangar resume->ssh        %s s, median %.2f s   ratio to cold %.3f   (start --wait + ssh after stop --suspend)\n' \
  "$(printf '%.2f ' "${resumed[@]}")" "$resume_med" "$(echo "$resume_med / $cold_med" | bc -l)"
printf 'hangar stop --suspend     %s s, median %.2f s\n' "$(printf '%.2f ' "${suspend[@]}")" \
  "$(printf '%s\n' "${suspend[@]}" | median)"
echo "machine load at the end: $(uptime)"
echo "hangar half, this script's marks (UTC):"
printf '%s' "$marks"
echo "hangar half, the workspace's events (UTC):"
echo "$events"
echo "hangar half, cloud-init analyze blame in the guest (boots 1 and 2):"
echo "$blame"
echo "$plain" | sed -n '/^plain blame/,$p'
