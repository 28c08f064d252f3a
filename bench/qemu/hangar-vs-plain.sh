#!/usr/bin/env bash
# Benchmark (reported, not asserted): the same test image booted through Hangar and by hand, in
# the same run, so both see the same machine load.
#
#   bench/qemu/hangar-vs-plain.sh [IMAGE_DIR] [tcg|kvm]
#
# IMAGE_DIR defaults to the output of tools/test-image/build.sh. PAIRS (default 1) interleaved pairs,
# each plain first, then Hangar (plain, Hangar, plain, Hangar ...: the plain baseline varies by 2-5 s
# between minutes, so a verdict needs several pairs; medians over the pairs are printed at the end).
# One Hangar server for the whole run (bench/lib/server.sh: a temporary HANGAR_HOME, a free loopback
# port, an SSH gateway on a free port, image imported first, untimed). Each pair's Hangar half:
#   create->ssh       `hangar create --wait -o json` until the first successful ssh with the pinned
#                     host key (bench/lib/workspace-ssh.sh; id, user and host key from create's own
#                     answer, the forwarded port from the provider's file: no second CLI call)
#   stop->start->ssh  `hangar stop --wait`, then `hangar start --wait` until the first successful ssh
#                     (a cold boot; done COLD_CYCLES times, default 1: the first is the ratio's figure)
#   resume->ssh       issue #18 item 1, the server path: `hangar stop --suspend --wait`, then
#                     `hangar start --wait` until the first successful ssh, RESUME_CYCLES times
#                     (default 3), each after RESUME_IDLE s (default 12, untimed) of the guest idling
#                     after the last login; RESUME_PAUSE s (default 0, untimed) pass between the
#                     suspend and the start, as a real resume comes minutes or hours later (on a host
#                     that hands freed memory back to its hypervisor, a resume right after the suspend
#                     reuses still-warm pages); on a workspace of their own (bench-s, template
#                     bench-vm-suspend: `stop: suspend`); printed as the median beside the cold cycles'
# then the workspace is deleted. The plain half is bench/qemu/plain-qemu.sh (create and stop/start).
# RESUME_CYCLES=0 also skips the resume cycles' untimed set-up (bench-s's boot), about 50 s a pair.
# BASELINE=DIR (another checkout whose distribution is built, e.g. a clone at the commit before a
# change): a second server from DIR/bin/hangar, and in every pair a third half through it (after the
# plain half in odd pairs, after this checkout's in even ones; BASELINE_FIRST=even the other way
# round), printed as "baseline" with its own
# ratios to the same plain half: before and after in one run, under the same load.
# Per pair: both figures and the ratios Hangar / plain; at the end the medians over the pairs, the
# per-phase events of the last pair's Hangar half (seed, disk, boot, ssh-ready, vm-resumed with its
# QMP/load split, vm-stopped, ssh-port-changed, phase changes; server clock, milliseconds) beside
# the script's own marks, and, untimed, `cloud-init analyze blame` of both guests of the last pair.
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
source "$ROOT/bench/lib/server.sh"
source "$ROOT/bench/lib/workspace-ssh.sh"
img=${1:-$("$ROOT/tools/test-image/build.sh" | tail -n 1)}
accel=${2:-tcg}
template=${BENCH_TEMPLATE:-bench-vm}
pairs=${PAIRS:-1}
cold_cycles=${COLD_CYCLES:-1}
resume_cycles=${RESUME_CYCLES:-3}
resume_idle=${RESUME_IDLE:-12}
resume_pause=${RESUME_PAUSE:-0}
resume_template=bench-vm-suspend
baseline=${BASELINE:-}
# BASELINE_FIRST=odd (default) runs the baseline's half first in odd pairs; even flips it, so that
# two runs together balance the order
first_parity=1; [[ "${BASELINE_FIRST:-odd}" == even ]] && first_parity=0
# Each side is a Hangar server of its own (a checkout's bin/hangar, a temporary HANGAR_HOME, a free
# port): "this" (this checkout) and, with BASELINE=DIR (another checkout, e.g. a clone at the commit
# before a change, its distribution built), "baseline", whose half runs in every pair between the
# plain half and this checkout's: before and after in one run, under the same load.
declare -A side_home=() side_listen=() side_launcher=()
use_side() {
  HANGAR_HOME=${side_home[$1]} HANGAR_LISTEN=${side_listen[$1]} HANGAR_URL=http://${side_listen[$1]}
  LAUNCHER=${side_launcher[$1]}
  export HANGAR_HOME HANGAR_LISTEN HANGAR_URL
}
hangar() { "$LAUNCHER" "$@"; }
cleanup() {
  local s
  for s in "${!side_home[@]}"; do
    use_side "$s"
    hangar delete bench-s --yes --wait >/dev/null 2>&1 || true
    hangar delete bench --yes --wait >/dev/null 2>&1 || true
    hangar down >/dev/null 2>&1 || true
    rm -rf "$HANGAR_HOME"
  done
}
trap cleanup EXIT

# setup_side NAME LAUNCHER: starts that side's server, adds the bench key, imports the image (untimed)
setup_side() {
  side_home[$1]=$(mktemp -d /tmp/hb.XXXXXX)
  side_listen[$1]=127.0.0.1:$(free_port)
  side_launcher[$1]=$2
  use_side "$1"
  chmod 700 "$HANGAR_HOME"
  mkdir -p "$HANGAR_HOME/logs" "$HANGAR_HOME/templates"
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
  # the resume cycles' template: bench-vm whose every stop suspends (its VM's RAM in a file, ADR 0020)
  sed -e 's/^name: bench-vm$/name: bench-vm-suspend/' -e 's/^settings: {}$/settings: {stop: suspend}/' \
    "$HANGAR_HOME/templates/bench-vm.yaml" >"$HANGAR_HOME/templates/bench-vm-suspend.yaml"
  start_server "$LAUNCHER" "$HANGAR_HOME" "$HANGAR_LISTEN" --set "providers.qemu.accelerator=$accel" \
    --set gateway.listen-port=0
  ssh-keygen -q -t ed25519 -N '' -f "$HANGAR_HOME/id" -C bench
  hangar key add "$HANGAR_HOME/id.pub" >/dev/null
  hangar image import "$img" --name bench-image >/dev/null
}
if [[ -n "$baseline" ]]; then
  [[ -x "$baseline/bin/hangar" ]] || { echo "BASELINE=$baseline has no bin/hangar" >&2; exit 2; }
  setup_side baseline "$baseline/bin/hangar"
  echo "baseline: $baseline at $(git -C "$baseline" log -1 --format='%h %s' 2>/dev/null | cut -c1-80)"
fi
setup_side this "$ROOT/bin/hangar"
echo "this: $ROOT at $(git -C "$ROOT" log -1 --format='%h %s' 2>/dev/null | cut -c1-80)"

now() { date +%s.%N; }
echo "machine load at the start: $(uptime)"
echo "resume cycles: RESUME_CYCLES=$resume_cycles RESUME_IDLE=$resume_idle s RESUME_PAUSE=$resume_pause s (template $resume_template)"
wait_ssh() { wait_workspace_ssh bench "$HANGAR_HOME/id" 1500; }  # bench/lib/workspace-ssh.sh
wait_ssh_s() { wait_workspace_ssh bench-s "$HANGAR_HOME/id" 1500; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
marks=""
mark() { marks+="$(date -u -d "@$1" +%H:%M:%S.%3N) $2"$'\n'; }

# One Hangar half on side $1 (this | baseline, use_side first): create, COLD_CYCLES stop/start,
# RESUME_CYCLES suspend/resume, each to the first ssh; sets hangar_create, hangar_restart,
# hangar_start and appends to the side's cold_start_*, resumed_*, suspend_*.
cold_start_this=(); resumed_this=(); suspend_this=(); cold_start_baseline=(); resumed_baseline=(); suspend_baseline=()
resume_events=""
hangar_half() {
  local t0 t0w t1 ts tsw tw te i json
  local -n cold_start="cold_start_$1" resumed="resumed_$1" suspend="suspend_$1"
  marks=""
  t0=$(now)
  json=$(hangar create bench --template "$template" --image bench-image --cpus 2 --memory 1GiB --wait --timeout 25m -o json)
  t0w=$(now)
  remember_workspace bench "$(jq -r .id <<<"$json")" "$(jq -r .owner <<<"$json")" "$(jq -r .hostKey <<<"$json")"
  wait_ssh
  t1=$(now)
  mark "$t0" "create"; mark "$t0w" "create --wait returned"; mark "$t1" "first ssh"
  hangar_create=$(echo "$t1 - $t0" | bc)
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
    ((i == 1)) && { hangar_restart=$(echo "$te - $ts" | bc); hangar_start=$(echo "$te - $tsw" | bc); }
    cold_start+=("$(echo "$te - $tsw" | bc)")
  done
  # RESUME_CYCLES=0: no resume cycles, and none of their untimed set-up (a second workspace's boot)
  if ((resume_cycles > 0)); then
  # The resume cycles run on a workspace of their own, bench-s, whose template says `stop: suspend`:
  # only such a VM gets its RAM in a file at its launch (ADR 0020), and the cold cycles above need
  # stops that shut down. The cold cycles' VM stays suspended meanwhile (an idle TCG guest costs CPU)
  # and is resumed after them for the untimed blame below. Untimed: the suspend, create and resume.
  hangar stop bench --suspend --wait --timeout 5m >/dev/null
  json_s=$(hangar create bench-s --template "$resume_template" --image bench-image --cpus 2 --memory 1GiB --wait --timeout 25m -o json)
  remember_workspace bench-s "$(jq -r .id <<<"$json_s")" "$(jq -r .owner <<<"$json_s")" "$(jq -r .hostKey <<<"$json_s")"
  wait_ssh_s
  for ((i = 1; i <= resume_cycles; i++)); do
    # untimed: the guest idles RESUME_IDLE s after the last logout before the suspend, as a user's VM
    # does (systemd stops an idle user manager after 10 s: the next login pays for starting it unless
    # the seed's linger keeps it); 0 suspends right after the login (the figures before 2026-12-05)
    sleep "$resume_idle"
    ts=$(now)
    hangar stop bench-s --suspend --wait --timeout 5m >/dev/null
    tss=$(now)
    # untimed: the VM stays suspended RESUME_PAUSE s (the host's freed pages go cold meanwhile)
    ((resume_pause > 0)) && sleep "$resume_pause"
    tsw=$(now)
    hangar start bench-s --wait --timeout 25m >/dev/null
    tw=$(now)
    wait_ssh_s
    te=$(now)
    mark "$ts" "resume $i: stop --suspend"; mark "$tss" "resume $i: stop --suspend --wait returned"
    mark "$tsw" "resume $i: start (after RESUME_PAUSE $resume_pause s)"
    mark "$tw" "resume $i: start --wait returned"; mark "$te" "resume $i: first ssh"
    suspend+=("$(echo "$tss - $ts" | bc)"); resumed+=("$(echo "$te - $tsw" | bc)")
  done
  # Untimed: every pair's resume splits (QEMU start, QMP, load) and port moves, for the summary.
  resume_events+=$(hangar events bench-s --limit 400 -o json 2>&1 \
    | jq -r --arg p "$pair" 'sort_by(.seq) | .[] | select(.type == "vm-resumed" or .type == "ssh-port-changed" or .type == "resume-failed")
        | "pair \($p) \(.at | sub("^[0-9-]+T"; "") | sub("Z$"; "")) \(.type) \(.message)"' 2>&1 || true)$'\n'
  hangar delete bench-s --yes --wait >/dev/null
  forget_workspace bench-s
  hangar start bench --wait --timeout 25m >/dev/null
  wait_ssh
  fi
  if ((pair == pairs)) && [[ $1 == this ]]; then
    # After the timing: what cloud-init spent in the guest's first and second boot (its two slowest
    # modules of each stage are where the seeds' difference would show), beside plain-qemu.sh's.
    blame=$(ssh -q -F /dev/null -i "$HANGAR_HOME/id" -o IdentitiesOnly=yes \
        -p "$(cat "$HANGAR_HOME/providers/qemu/workspaces/$(jq -r .id <<<"$json")/ssh-port")" \
        -o UserKnownHostsFile="$HANGAR_HOME/known_hosts.bench" -o BatchMode=yes "$(jq -r .owner <<<"$json")@127.0.0.1" \
        sudo cloud-init analyze blame </dev/null 2>&1 | awk '/Boot Record/ {n++} n == 1 || n == 2' | grep -v '^ *$' | head -n 40 || true)
    # The per-phase events with the script's own marks, so the overhead can be placed: the events'
    # times are the server's clock (milliseconds), the marks this shell's.
    events=$(hangar events bench --limit 400 -o json 2>&1 \
      | jq -r 'sort_by(.seq) | .[] | "\(.at | sub("^[0-9-]+T"; "") | sub("Z$"; "")) \(.type) \(.message)"' 2>&1 || true)
  fi
  hangar delete bench --yes --wait >/dev/null
  forget_workspace bench
}

ratio() { echo "$1 / $2" | bc -l; }
r_create=(); r_restart=(); r_start=(); h_create=(); p_create=(); h_restart=(); p_restart=()
b_create=(); b_restart=(); br_create=(); br_restart=(); br_start=()
baseline_half() {
  use_side baseline
  hangar_half baseline
  b_create+=("$hangar_create"); b_restart+=("$hangar_restart")
  br_create+=("$(ratio "$hangar_create" "$plain_create")"); br_restart+=("$(ratio "$hangar_restart" "$plain_restart")")
  br_start+=("$(ratio "$hangar_start" "$plain_start")")
  baseline_line=$(printf '  baseline  create->ssh %6.1f s   ratio %.2f   stop->start->ssh %6.1f s   ratio %.2f' \
    "$hangar_create" "${br_create[-1]}" "$hangar_restart" "${br_restart[-1]}")
}
for ((pair = 1; pair <= pairs; pair++)); do
  plain=$("$ROOT/bench/qemu/plain-qemu.sh" "$img" "$accel")
  plain_create=$(awk '/create->ssh/ {print $NF}' <<<"$plain")
  plain_restart=$(awk '/stop->start->ssh/ {print $NF}' <<<"$plain")
  plain_start=$(awk '/ start->ssh/ {print $NF}' <<<"$plain")
  # with a baseline, its half comes first in odd pairs and last in even ones (the plain half's
  # figure drifts with time: neither side always runs closer to it)
  [[ -n "$baseline" ]] && ((pair % 2 == first_parity)) && baseline_half
  use_side this
  hangar_half this
  this_create=$hangar_create this_restart=$hangar_restart this_start=$hangar_start this_marks=$marks
  [[ -n "$baseline" ]] && ((pair % 2 != first_parity)) && baseline_half
  hangar_create=$this_create hangar_restart=$this_restart hangar_start=$this_start
  echo "pair $pair of $pairs (load $(cut -d' ' -f1-3 /proc/loadavg)):"
  printf '  plain  create->ssh %6.1f s   hangar %6.1f s   ratio %.2f   (template %s)\n' "$plain_create" "$hangar_create" \
    "$(ratio "$hangar_create" "$plain_create")" "$template"
  printf '  plain  stop->start->ssh %6.1f s   hangar %6.1f s   ratio %.2f   (start alone: plain %.1f s, hangar %.1f s, ratio %.2f)\n' \
    "$plain_restart" "$hangar_restart" "$(ratio "$hangar_restart" "$plain_restart")" \
    "$plain_start" "$hangar_start" "$(ratio "$hangar_start" "$plain_start")"
  [[ -n "$baseline" ]] && echo "$baseline_line ($(((pair % 2 == first_parity)) && echo before || echo after) this checkout's half)"
  h_create+=("$hangar_create"); p_create+=("$plain_create"); h_restart+=("$hangar_restart"); p_restart+=("$plain_restart")
  r_create+=("$(ratio "$hangar_create" "$plain_create")"); r_restart+=("$(ratio "$hangar_restart" "$plain_restart")")
  r_start+=("$(ratio "$hangar_start" "$plain_start")")
done

med() { printf '%s\n' "$@" | median; }
printf 'medians over %d pair(s):\n' "$pairs"
printf 'create->ssh        hangar %6.1f s   plain %6.1f s   ratio (median of the pairs) %.3f   ratios %s\n' \
  "$(med "${h_create[@]}")" "$(med "${p_create[@]}")" "$(med "${r_create[@]}")" "$(printf '%.2f ' "${r_create[@]}")"
printf 'stop->start->ssh   hangar %6.1f s   plain %6.1f s   ratio (median of the pairs) %.3f   ratios %s\n' \
  "$(med "${h_restart[@]}")" "$(med "${p_restart[@]}")" "$(med "${r_restart[@]}")" "$(printf '%.2f ' "${r_restart[@]}")"
printf 'start->ssh alone   ratio (median of the pairs) %.3f   ratios %s\n' "$(med "${r_start[@]}")" \
  "$(printf '%.2f ' "${r_start[@]}")"
if [[ -n "$baseline" ]]; then
  printf 'baseline create->ssh      hangar %6.1f s   ratio (median of the pairs) %.3f   ratios %s\n' \
    "$(med "${b_create[@]}")" "$(med "${br_create[@]}")" "$(printf '%.2f ' "${br_create[@]}")"
  printf 'baseline stop->start->ssh hangar %6.1f s   ratio (median of the pairs) %.3f   ratios %s\n' \
    "$(med "${b_restart[@]}")" "$(med "${br_restart[@]}")" "$(printf '%.2f ' "${br_restart[@]}")"
  printf 'baseline start->ssh alone ratio (median of the pairs) %.3f   ratios %s\n' "$(med "${br_start[@]}")" \
    "$(printf '%.2f ' "${br_start[@]}")"
fi
cold_med=$(med "${cold_start_this[@]}")
printf 'hangar cold start->ssh    %s s, median %.2f s   (start --wait + ssh after a stop)\n' \
  "$(printf '%.2f ' "${cold_start_this[@]}")" "$cold_med"
if ((resume_cycles > 0)); then
  resume_med=$(med "${resumed_this[@]}")
  printf 'hangar resume->ssh        %s s, median %.2f s   ratio to cold %.3f   (start --wait + ssh, %s s after stop --suspend)\n' \
    "$(printf '%.2f ' "${resumed_this[@]}")" "$resume_med" "$(ratio "$resume_med" "$cold_med")" "$resume_pause"
  printf 'hangar stop --suspend     %s s, median %.2f s\n' "$(printf '%.2f ' "${suspend_this[@]}")" \
    "$(med "${suspend_this[@]}")"
  if [[ -n "$baseline" ]]; then
    printf 'baseline resume->ssh      %s s, median %.2f s\n' "$(printf '%.2f ' "${resumed_baseline[@]}")" \
      "$(med "${resumed_baseline[@]}")"
  fi
fi
echo "machine load at the end: $(uptime)"
echo "every pair's resumes and port moves (server events, UTC):"
printf '%s' "$resume_events"
echo "hangar half of the last pair, this script's marks (UTC):"
printf '%s' "$this_marks"
echo "hangar half of the last pair, the workspace's events (UTC):"
echo "$events"
echo "hangar half of the last pair, cloud-init analyze blame in the guest (boots 1 and 2):"
echo "$blame"
echo "$plain" | sed -n '/^plain blame/,$p'
