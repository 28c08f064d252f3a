#!/usr/bin/env bash
# USB/IP latency and throughput from a workspace VM to a PC's usbipd, three paths in the same run:
#
#   bench/usb/bench.sh [IMAGE_DIR]      IMAGE_DIR from tools/test-image/build.sh (default: build/cached)
#
#   direct   no SSH: the workspace's usbip connects to 10.0.2.2:<pc port>, which QEMU's user-mode
#            network (slirp) connects to 127.0.0.1:<pc port> on the host, the pc VM's hostfwd of its
#            usbipd. Plain TCP, kernel and slirp sockets only: the baseline.
#   ssh -R   a plain OpenSSH `ssh -N -R 127.0.0.1:3241:127.0.0.1:<pc port>` from the host straight to
#            the workspace VM's forwarded sshd; `usbip --tcp-port 3241 attach -r 127.0.0.1` inside it.
#   hangar   the real `hangar usb attach WS BUSID --usbipd 127.0.0.1:<pc port>` (bin/hangar, the real
#            server and its SSH gateway), its default path for a local VM (ADR 0019): the VM's guestfwd
#            10.0.2.100:3240, whose python3 hands slirp's socket to the gateway over the VM's unix
#            socket (SCM_RIGHTS; socat relays only on a host without python3) -> a forwarded-tcpip
#            channel of the CLI's `ssh -R ws.usbip:3240:...` session to the gateway -> usbipd; the
#            attach the CLI runs and its watch loop; detached again with `hangar usb detach`.
#   hangar --via ssh   the same CLI forced onto the old path: ssh -J through the gateway to the
#            workspace's sshd, the forward port sshd chose.
# The pc VM (plain qemu-system-x86_64) has a QEMU usb-storage disk (qemu-xhci, 46f4:0001) backed by a
# raw file of random bytes, bound to usbip-host and exported by usbipd. The workspace VM is created
# by the real server's qemu provider (template with vhci-hcd and the device allowed); both boot in
# parallel. All three paths cross slirp and the host's loopback, so the ratios isolate SSH (and, for
# hangar, the gateway hop and the CLI).
#
# Per round and path (direct, ssh -R, hangar, hangar --via ssh): attach, check the device's sha256 against the file's,
# read the whole device with `dd iflag=direct bs=1M` (throughput), then READS random 4 KiB O_DIRECT
# reads timed one by one (median and p99 latency), detach. Prints the medians over rounds, the ratios
# to direct, and the load average. Reported, not asserted.
#
# Then the paired rounds (PAIRED_ROUNDS, default 4): the pc has a second, identical disk (its own
# busid), so one disk is attached direct and the other through `hangar usb attach` at the same time,
# and the workspace times PAIRED_READS (default 500) random 4 KiB reads on each, alternating disk by
# disk (which disk reads first alternates too). Both paths see the same moment of the machine; the
# sequential rounds measure the paths minutes apart. The disks swap paths from one paired round to the
# next, so a difference between the two disks cancels out. Prints each path's median and p99 over
# all paired reads, the ratio, and the ratio per paired round.
# Env: SIZE_MIB (32), READS (400), ROUNDS (3), PAIRED_ROUNDS (4), PAIRED_READS (500), ACCEL (tcg), HANGAR_LAUNCHER (bin/hangar of this checkout;
# another build's for a before/after pair: a copy of bin/hangar beside that build's hangar-dist/target/lib); HOLD=1 keeps the VMs and the server after the
# figures until $work/env (it holds the variables) is removed, for a look by hand.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
. "$ROOT/bench/lib/server.sh"
img=${1:-$("$ROOT/tools/test-image/build.sh" | tail -1)}
size_mib=${SIZE_MIB:-32}
reads=${READS:-400}
paired_rounds=${PAIRED_ROUNDS:-4}
paired_reads=${PAIRED_READS:-500}
rounds=${ROUNDS:-3}
accel=${ACCEL:-tcg}
launcher=${HANGAR_LAUNCHER:-$ROOT/bin/hangar}
# No socat: with python3 on the host (needed here anyway) the server's guest forward passes slirp's
# socket to the gateway; socat is only its fallback without python3.
for tool in qemu-system-x86_64 qemu-img genisoimage ssh ssh-keygen python3 curl; do
    command -v "$tool" >/dev/null || { echo "bench.sh: $tool not found (apt: qemu-system-x86 qemu-utils genisoimage openssh-client python3 curl)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/hub.XXXXXX)
chmod 700 "$work"
HANGAR_HOME=$work/hangar
mkdir -p "$HANGAR_HOME/templates" "$HANGAR_HOME/logs" "$work/user/.ssh"
chmod 700 "$HANGAR_HOME" "$work/user" "$work/user/.ssh"
api=$(free_port)
export HANGAR_HOME HANGAR_URL=http://127.0.0.1:$api
# The CLI's ~ (ssh config, known_hosts, key) is $work/user, not the real home: Java reads user.home
# from the password database, hence the system property; no AOT training run during the figures.
# OpenSSH finds ~ there too, and the CLI names its config (-F) only when user.home differs from the
# JVM's own: an ssh on the CLI's PATH that adds -F $work/user/.ssh/config stands in for a real home.
mkdir "$work/bin"
printf '#!/bin/sh\nexec %q -F %q "$@"\n' "$(command -v ssh)" "$work/user/.ssh/config" >"$work/bin/ssh"
chmod 755 "$work/bin/ssh"
hangar() {
    PATH="$work/bin:$PATH" HANGAR_AOT=off JDK_JAVA_OPTIONS="-Duser.home=$work/user" "$launcher" "$@" \
        2> >(grep -v '^NOTE: Picked up JDK_JAVA_OPTIONS' >&2)
}
tunnel_pid=""
cleanup() {
    [[ -n "$tunnel_pid" ]] && kill "$tunnel_pid" 2>/dev/null || true
    hangar delete ws --yes --wait --timeout 2m >/dev/null 2>&1 || true
    [[ -f "$HANGAR_HOME/server.pid" ]] && kill "$(cat "$HANGAR_HOME/server.pid")" 2>/dev/null || true
    [[ -f "$work/pc.pid" ]] && kill "$(cat "$work/pc.pid")" 2>/dev/null || true
    # a workspace VM left behind (the delete failed): by its pidfile under our HANGAR_HOME only
    for f in "$HANGAR_HOME"/providers/qemu/workspaces/*/qemu.pid; do
        [[ -f "$f" ]] && kill "$(cat "$f")" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

ssh-keygen -q -t ed25519 -N '' -f "$work/user/.ssh/id_ed25519" -C usb-bench
key=$work/user/.ssh/id_ed25519
ssh-keygen -q -t ed25519 -N '' -f "$work/pc-host" -C pc
pc_ssh=$(free_port); pc_usbip=$(free_port)
echo "[127.0.0.1]:$pc_ssh $(cut -d' ' -f1,2 "$work/pc-host.pub")" >"$work/known_hosts"

log "writing the ${size_mib} MiB device image"
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$work/usb.raw"
want_sha=$(sha256sum "$work/usb.raw" | cut -d' ' -f1)
cp "$work/usb.raw" "$work/usb2.raw" # the paired rounds' second disk, same bytes

# The pc: a NoCloud seed with user bench, the pinned host key, and usbip-host loaded.
d="$work/pc-seed"
mkdir "$d"
printf 'instance-id: pc-%s\nlocal-hostname: pc\n' "$$" >"$d/meta-data"
{
    echo "#cloud-config"
    echo "hostname: pc"
    # without it every sudo waits for a DNS timeout (restrict=on: no resolver reachable)
    echo "manage_etc_hosts: true"
    echo "users:"
    echo "  - name: bench"
    echo "    sudo: ALL=(ALL) NOPASSWD:ALL"
    echo "    shell: /bin/bash"
    echo "    ssh_authorized_keys: [\"$(cat "$key.pub")\"]"
    echo "ssh_deletekeys: true"
    echo "ssh_genkeytypes: []"
    echo "ssh_keys:"
    echo "  ed25519_private: |"
    sed 's/^/    /' "$work/pc-host"
    echo "  ed25519_public: $(cat "$work/pc-host.pub")"
    echo "runcmd: [[modprobe, usbip_host]]"
} >"$d/user-data"
genisoimage -quiet -output "$work/pc-seed.iso" -volid cidata -joliet -rock "$d/user-data" "$d/meta-data"

# The server: a fresh HANGAR_HOME, a free API port, the SSH gateway on a free port, the workspace
# template with vhci-hcd loaded and the pc's device allowed. restrict-network stays at its default
# (false): the direct path needs the guest to reach 10.0.2.2.
cat >"$HANGAR_HOME/templates/usbbench.yaml" <<'YAML'
name: usbbench
description: Debian 12 test VM with vhci-hcd for the USB/IP benchmark
provider: qemu
image: bench-image
defaults: {cpus: 1, memoryMiB: 1024, diskGiB: 4}
limits:
  cpus: {min: 1, max: 2}
  memoryMiB: {min: 512, max: 2048}
  diskGiB: {min: 4, max: 8}
cloudInit: {runcmd: ["modprobe vhci-hcd"]}
settings: {}
usb: {allow: ["46f4:0001"]}
YAML
start_server "$launcher" "$HANGAR_HOME" "127.0.0.1:$api" \
    --set "providers.qemu.accelerator=$accel" --set gateway.listen-port=0
hangar key add "$key.pub" >/dev/null
hangar image import "$img" --name bench-image >/dev/null

t0=$SECONDS
log "booting pc and ws (accel $accel)"
qemu-img create -q -f qcow2 -F raw -b "$img/root.raw" "$work/pc.qcow2"
qemu-system-x86_64 -name bench-pc -machine q35 -accel "$accel" -smp 1 -m 1024M \
    -nodefaults -no-user-config -display none -daemonize -pidfile "$work/pc.pid" \
    -kernel "$img/vmlinuz" -initrd "$img/initrd.img" -append "$(cat "$img/cmdline")" \
    -drive file="$work/pc.qcow2",if=virtio,format=qcow2 \
    -drive file="$work/pc-seed.iso",if=virtio,format=raw,readonly=on \
    -netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$pc_ssh-:22,hostfwd=tcp:127.0.0.1:$pc_usbip-:3240" \
    -device virtio-net-pci,netdev=n0 -device virtio-rng-pci -serial file:"$work/pc-serial.log" \
    -device qemu-xhci,id=xhci -drive if=none,id=usbdisk,format=raw,file="$work/usb.raw" \
    -device usb-storage,bus=xhci.0,drive=usbdisk \
    -drive if=none,id=usbdisk2,format=raw,file="$work/usb2.raw" -device usb-storage,bus=xhci.0,drive=usbdisk2
hangar create ws --template usbbench --wait --timeout 25m >/dev/null
json=$(hangar show ws -o json)
field() { sed -n "s/^ *\"$1\" *: *\"\([^\"]*\)\".*/\1/p" <<<"$json" | head -n 1; }
ws_id=$(field id); ws_user=$(field owner)
ws_ssh=$(cat "$HANGAR_HOME/providers/qemu/workspaces/$ws_id/ssh-port")
echo "[127.0.0.1]:$ws_ssh $(field hostKey)" >>"$work/known_hosts"

on() { # VM COMMAND...: run a shell command in the VM over ssh, straight to its forwarded port
    local port=$pc_ssh user=bench
    [[ $1 == ws ]] && port=$ws_ssh user=$ws_user
    shift
    ssh -q -F /dev/null -i "$key" -p "$port" -o IdentitiesOnly=yes -o UserKnownHostsFile="$work/known_hosts" \
        -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=20 "$user@127.0.0.1" "$@"
}
wait_module() { # VM MODULE: ready = cloud-init has created the user and loaded the module (runcmd runs last)
    local deadline=$((SECONDS + ${BOOT_TIMEOUT:-1800}))
    until on "$1" "test -d /sys/module/$2" 2>/dev/null; do
        ((SECONDS < deadline)) || { echo "timeout waiting for $1" >&2; exit 1; }
        [[ $1 == ws ]] || kill -0 "$(cat "$work/$1.pid")" || { echo "qemu of $1 exited; serial:" >&2; tail -20 "$work/$1-serial.log" >&2; exit 1; }
        sleep 1
    done
}
wait_module pc usbip_host
wait_module ws vhci_hcd
log "both VMs up after $((SECONDS - t0)) s"

busids=$(on pc 'sudo usbip list -l' | sed -nE 's/^ - busid ([0-9.-]+) \(46f4:0001\).*/\1/p')
busid=$(head -1 <<<"$busids"); busid2=$(sed -n 2p <<<"$busids")
[[ -n "$busid" && -n "$busid2" ]] || { echo "not two 46f4:0001 devices in the pc VM:" >&2; on pc 'sudo usbip list -l' >&2; exit 1; }
on pc "sudo usbipd -D && sudo usbip bind -b $busid && sudo usbip bind -b $busid2" >/dev/null
log "pc exports busids $busid and $busid2 on 127.0.0.1:$pc_usbip"

ssh -N -F /dev/null -i "$key" -p "$ws_ssh" -o IdentitiesOnly=yes -o UserKnownHostsFile="$work/known_hosts" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -o ExitOnForwardFailure=yes -o ServerAliveInterval=15 \
    -R "127.0.0.1:3241:127.0.0.1:$pc_usbip" "$ws_user@127.0.0.1" &
tunnel_pid=$!

# One measurement inside ws. HOST PORT: attach from there, measure, detach; "- -": someone else (the
# CLI) attached, wait for the disk and leave the detach to them. Prints "mibps median_us p99_us".
measure() {
    on ws "sudo python3 - $1 $2 $busid $want_sha $reads" <<'PY'
import glob, hashlib, mmap, os, random, re, subprocess, sys, time
host, port, busid, want, reads = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
def usb_disk():
    for d in glob.glob("/sys/block/sd*"):
        if "vhci_hcd" in os.path.realpath(d) and os.path.exists("/dev/" + os.path.basename(d)):
            return "/dev/" + os.path.basename(d)
deadline = time.time() + 120
while host != "-":
    r = subprocess.run(["usbip", "--tcp-port", port, "attach", "-r", host, "-b", busid], capture_output=True, text=True)
    if r.returncode == 0: break
    if time.time() > deadline: sys.exit("attach failed: " + r.stderr)
    time.sleep(1)
while usb_disk() is None or open("/sys/block/%s/size" % usb_disk()[5:]).read().strip() == "0":
    if time.time() > deadline: sys.exit("no usb disk appeared")
    time.sleep(0.2)
dev = usb_disk()
size = int(open("/sys/block/%s/size" % dev[5:]).read()) * 512
with open(dev, "rb") as f:
    got = hashlib.file_digest(f, "sha256").hexdigest()
if got != want: sys.exit("content mismatch on %s: %s != %s" % (dev, got, want))
subprocess.run(["sh", "-c", "echo 3 > /proc/sys/vm/drop_caches"])
dd = subprocess.run(["dd", "if=" + dev, "of=/dev/null", "bs=1M", "iflag=direct"], capture_output=True, text=True)
m = re.search(r"^(\d+) bytes .* copied, ([0-9.]+) s", dd.stderr, re.M)
mibps = int(m.group(1)) / float(m.group(2)) / 1048576
fd = os.open(dev, os.O_RDONLY | os.O_DIRECT)
buf = mmap.mmap(-1, 4096)
lat = []
rnd = random.Random(42)
for _ in range(reads):
    off = rnd.randrange(size // 4096) * 4096
    t = time.perf_counter_ns()
    os.preadv(fd, [buf], off)
    lat.append((time.perf_counter_ns() - t) / 1000)
os.close(fd)
lat.sort()
if host != "-":
    out = subprocess.run(["usbip", "port"], capture_output=True, text=True).stdout
    for p in re.findall(r"^Port (\d+): <Port in Use>", out, re.M):
        subprocess.run(["usbip", "detach", "-p", p], check=True, capture_output=True)
print("%.2f %.0f %.0f" % (mibps, lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))]))
PY
}

via_hangar() { # VIA (auto|ssh); runs in a subshell ($(...)): ends its own attach process on every way out
    local pid rc=0
    hangar usb attach ws "$busid" --usbipd "127.0.0.1:$pc_usbip" --no-bind --via "$1" >"$work/attach.log" 2>&1 &
    pid=$!
    measure - - || rc=$?
    hangar usb detach ws "$busid" >/dev/null || kill "$pid" 2>/dev/null || true
    wait "$pid" || { echo "hangar usb attach exited $?" >&2; rc=1; }
    ((rc == 0)) || { cat "$work/attach.log" >&2; return "$rc"; }
    grep -q "tunnel: $([[ $1 == ssh ]] && echo ssh || echo gateway)" "$work/attach.log" ||
        { echo "hangar usb attach --via $1 took another tunnel:" >&2; cat "$work/attach.log" >&2; return 1; }
}

echo "machine load at the start: $(uptime)"
declare -a direct tunnel viahangar viassh
for ((r = 1; r <= rounds; r++)); do
    log "round $r: direct (slirp to the host's loopback, no SSH)"
    direct+=("$(measure 10.0.2.2 "$pc_usbip")")
    log "  ${direct[-1]}"
    log "round $r: ssh -R"
    tunnel+=("$(measure 127.0.0.1 3241)")
    log "  ${tunnel[-1]}"
    log "round $r: hangar usb attach (gateway tunnel)"
    viahangar+=("$(via_hangar auto)")
    log "  ${viahangar[-1]}"
    log "round $r: hangar usb attach --via ssh"
    viassh+=("$(via_hangar ssh)")
    log "  ${viassh[-1]}"
done

# One paired round inside ws: DIRECT_BUSID is attached here through 10.0.2.2, HANGAR_BUSID is (being)
# attached by the CLI through 10.0.2.100; times the reads alternating between the two disks, detaches
# the direct one. Prints the latencies of the hangar disk, then of the direct disk, a line each.
measure_paired() {
    on ws "sudo python3 - $1 $2 $pc_usbip $paired_reads $3" <<'PY'
import glob, mmap, os, random, re, subprocess, sys, time
direct_busid, hangar_busid, port, reads, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
deadline = time.time() + 120
while True:
    r = subprocess.run(["usbip", "--tcp-port", port, "attach", "-r", "10.0.2.2", "-b", direct_busid], capture_output=True, text=True)
    if r.returncode == 0: break
    if time.time() > deadline: sys.exit("attach failed: " + r.stderr)
    time.sleep(1)
def disks():
    # `usbip port`: "Port NN: <Port in Use> ..." then "  3-1 -> usbip://HOST:3240/BUSID"; the local
    # bus-port (3-1) is a directory in the disk's sysfs path.
    found = {}
    out = subprocess.run(["usbip", "port"], capture_output=True, text=True).stdout
    for local, host, busid in re.findall(r"^\s*(\d+-[\d.]+) -> usbip://([\d.]+):\d+/(\S+)", out, re.M):
        for d in glob.glob("/sys/block/sd*"):
            if "/" + local + "/" in os.path.realpath(d) and os.path.exists("/dev/" + os.path.basename(d)):
                if open(d + "/size").read().strip() != "0":
                    found[(host, busid)] = "/dev/" + os.path.basename(d)
    return found
while True:
    found = disks()
    if ("10.0.2.2", direct_busid) in found and ("10.0.2.100", hangar_busid) in found: break
    if time.time() > deadline: sys.exit("both disks did not appear: %s" % found)
    time.sleep(0.2)
paths = {"hangar": found[("10.0.2.100", hangar_busid)], "direct": found[("10.0.2.2", direct_busid)]}
fds = {k: os.open(v, os.O_RDONLY | os.O_DIRECT) for k, v in paths.items()}
size = {k: os.lseek(fd, 0, os.SEEK_END) for k, fd in fds.items()}
buf = mmap.mmap(-1, 4096)
lat = {"hangar": [], "direct": []}
rnd = random.Random(seed)
for i in range(reads):
    for k in (("hangar", "direct") if i % 2 == 0 else ("direct", "hangar")):
        off = rnd.randrange(size[k] // 4096) * 4096
        t = time.perf_counter_ns()
        os.preadv(fds[k], [buf], off)
        lat[k].append((time.perf_counter_ns() - t) / 1000)
for fd in fds.values(): os.close(fd)
out = subprocess.run(["usbip", "port"], capture_output=True, text=True).stdout
for p, host in re.findall(r"^Port (\d+): <Port in Use>.*?-> usbip://([\d.]+):", out, re.M | re.S):
    if host == "10.0.2.2": subprocess.run(["usbip", "detach", "-p", p], check=True, capture_output=True)
print(" ".join("%.0f" % x for x in lat["hangar"]))
print(" ".join("%.0f" % x for x in lat["direct"]))
PY
}

paired_round() { # DIRECT_BUSID HANGAR_BUSID SEED: ends its own attach process on every way out
    local pid rc=0
    hangar usb attach ws "$2" --usbipd "127.0.0.1:$pc_usbip" --no-bind >"$work/attach.log" 2>&1 &
    pid=$!
    measure_paired "$1" "$2" "$3" || rc=$?
    hangar usb detach ws "$2" >/dev/null || kill "$pid" 2>/dev/null || true
    wait "$pid" || { echo "hangar usb attach exited $?" >&2; rc=1; }
    ((rc == 0)) || { cat "$work/attach.log" >&2; return "$rc"; }
    grep -q "tunnel: gateway" "$work/attach.log" ||
        { echo "hangar usb attach took another tunnel:" >&2; cat "$work/attach.log" >&2; return 1; }
}

: >"$work/paired"
for ((r = 1; r <= paired_rounds; r++)); do
    if ((r % 2)); then a=$busid b=$busid2; else a=$busid2 b=$busid; fi
    log "paired round $r: $a direct, $b through hangar usb attach, $paired_reads reads each, alternating"
    paired_round "$a" "$b" "$r" >>"$work/paired"
done
echo "machine load at the end: $(uptime)"
if [[ -n "${HOLD:-}" ]]; then # keep everything up for a look by hand until the file is removed
    declare -p work HANGAR_HOME HANGAR_URL key ws_ssh ws_user pc_ssh pc_usbip busid busid2 want_sha >"$work/env"
    log "HOLD: VMs and server kept; variables in $work/env; rm $work/env to finish"
    while [[ -f "$work/env" ]]; do sleep 2; done
fi

python3 - "$size_mib" "$reads" "${direct[@]}" -- "${tunnel[@]}" -- "${viahangar[@]}" -- "${viassh[@]}" <<'PY'
import statistics, sys
size, reads = sys.argv[1], sys.argv[2]
rest = sys.argv[3:]
a = rest.index("--"); b = rest.index("--", a + 1); c = rest.index("--", b + 1)
def cols(rows): return [list(map(float, r.split())) for r in rows]
d, t, h, v = cols(rest[:a]), cols(rest[a + 1:b]), cols(rest[b + 1:c]), cols(rest[c + 1:])
def med(rows, i): return statistics.median(r[i] for r in rows)
print(f"USB/IP read of a {size} MiB QEMU usb-storage disk, {reads} random 4 KiB O_DIRECT reads, {len(d)} rounds (medians of rounds)")
print(f"{'':20}{'direct':>10}{'ssh -R':>10}{'hangar':>10}{'h --via ssh':>12}{'ssh-R/dir':>10}{'hangar/dir':>11}{'via-ssh/dir':>12}")
for name, i in (("throughput MiB/s", 0), ("latency median us", 1), ("latency p99 us", 2)):
    x, y, z, w = med(d, i), med(t, i), med(h, i), med(v, i)
    print(f"{name:20}{x:10.2f}{y:10.2f}{z:10.2f}{w:12.2f}{y / x:10.2f}{z / x:11.2f}{w / x:12.2f}")
print("per round (MiB/s median_us p99_us): direct", d, "ssh -R", t, "hangar", h, "hangar --via ssh", v)
PY
python3 - "$work/paired" "$paired_reads" <<'PY'
import statistics, sys
lines = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
if not lines: sys.exit(0)
hangar, direct = lines[0::2], lines[1::2]
def q(xs, p): xs = sorted(xs); return xs[min(len(xs) - 1, int(len(xs) * p))]
H = [x for r in hangar for x in r]; D = [x for r in direct for x in r]
print(f"paired: {len(hangar)} rounds x {sys.argv[2]} reads per path, the two paths read by turns at the same time")
print(f"{'':20}{'direct':>10}{'hangar':>10}{'hangar/dir':>11}")
print(f"{'latency median us':20}{statistics.median(D):10.0f}{statistics.median(H):10.0f}{statistics.median(H) / statistics.median(D):11.2f}")
print(f"{'latency p99 us':20}{q(D, 0.99):10.0f}{q(H, 0.99):10.0f}{q(H, 0.99) / q(D, 0.99):11.2f}")
print("paired per round, hangar/direct median:", [round(statistics.median(h) / statistics.median(d), 2) for h, d in zip(hangar, direct)])
PY
