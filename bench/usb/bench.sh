#!/usr/bin/env bash
# USB/IP through an SSH remote forward versus USB/IP without SSH, between two real QEMU guests.
#
#   bench/usb/bench.sh [IMAGE_DIR]      IMAGE_DIR from tools/test-image/build.sh (default: build/cached)
#
# Boots two VMs from the test image with plain qemu-system-x86_64 (TCG unless ACCEL=kvm), in parallel:
#   pc  a QEMU usb-storage disk (qemu-xhci, 46f4:0001) backed by a raw file of random bytes, bound to
#       usbip-host and exported by usbipd; its port 3240 is forwarded to 127.0.0.1:<port> on the host.
#   ws  the "workspace"; loads vhci-hcd. Its user-mode network (restrict=on) has a guestfwd
#       10.0.2.100:3240 -> a per-connection relay (bash /dev/tcp + cat) to the pc's forwarded 3240:
#       that is the path WITHOUT SSH.
# The path WITH SSH is what `hangar usb attach` sets up: a real OpenSSH `ssh -N -R
# 127.0.0.1:3241:127.0.0.1:<pc 3240 port>` from the host into the ws VM, and `usbip --tcp-port 3241
# attach -r 127.0.0.1` inside it. (The SSH gateway hop is not in this path; GatewayBench measures it.)
# Both paths cross QEMU's user-mode network twice and the host loopback, so the ratio isolates SSH.
#
# For each path, ROUNDS times (alternating direct, tunnel): attach, check the device's sha256 against
# the file's, read the whole device with `dd iflag=direct bs=1M` (throughput), then READS random
# 4 KiB O_DIRECT reads timed one by one (median and p99 latency), detach. Prints figures and the
# ratios tunnel/direct. Reported, not asserted. Env: SIZE_MIB (64), READS (400), ROUNDS (2), ACCEL.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
img=${1:-$("$here/../../tools/test-image/build.sh" | tail -1)}
size_mib=${SIZE_MIB:-64}
reads=${READS:-400}
rounds=${ROUNDS:-2}
accel=${ACCEL:-tcg}
for tool in qemu-system-x86_64 genisoimage ssh ssh-keygen python3; do
    command -v "$tool" >/dev/null || { echo "bench.sh: $tool not found (apt: qemu-system-x86 genisoimage openssh-client python3)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/hub.XXXXXX)
chmod 700 "$work"
tunnel_pid=""
cleanup() {
    [[ -n "$tunnel_pid" ]] && kill "$tunnel_pid" 2>/dev/null || true
    for vm in pc ws; do
        [[ -f "$work/$vm.pid" ]] && kill "$(cat "$work/$vm.pid")" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

ssh-keygen -q -t ed25519 -N '' -f "$work/id" -C bench
for vm in pc ws; do ssh-keygen -q -t ed25519 -N '' -f "$work/$vm-host" -C "$vm"; done
pc_ssh=$(free_port); pc_usbip=$(free_port); ws_ssh=$(free_port)
{
    echo "[127.0.0.1]:$pc_ssh $(cut -d' ' -f1,2 "$work/pc-host.pub")"
    echo "[127.0.0.1]:$ws_ssh $(cut -d' ' -f1,2 "$work/ws-host.pub")"
} >"$work/known_hosts"

seed() { # NAME MODULE: a NoCloud seed with user bench, the pinned host key, and `modprobe MODULE`
    local d="$work/$1-seed"
    mkdir "$d"
    printf 'instance-id: %s-%s\nlocal-hostname: %s\n' "$1" "$$" "$1" >"$d/meta-data"
    {
        echo "#cloud-config"
        echo "hostname: $1"
        # without it every sudo waits for a DNS timeout (restrict=on: no resolver reachable)
        echo "manage_etc_hosts: true"
        echo "users:"
        echo "  - name: bench"
        echo "    sudo: ALL=(ALL) NOPASSWD:ALL"
        echo "    shell: /bin/bash"
        echo "    ssh_authorized_keys: [\"$(cat "$work/id.pub")\"]"
        echo "ssh_deletekeys: true"
        echo "ssh_genkeytypes: []"
        echo "ssh_keys:"
        echo "  ed25519_private: |"
        sed 's/^/    /' "$work/$1-host"
        echo "  ed25519_public: $(cat "$work/$1-host.pub")"
        echo "runcmd: [[modprobe, $2]]"
    } >"$d/user-data"
    genisoimage -quiet -output "$work/$1-seed.iso" -volid cidata -joliet -rock "$d/user-data" "$d/meta-data"
}

boot() { # NAME NETDEV [extra qemu args...]
    local name=$1 netdev=$2
    shift 2
    qemu-img create -q -f qcow2 -F raw -b "$img/root.raw" "$work/$name.qcow2"
    qemu-system-x86_64 -name "bench-$name" -machine q35 -accel "$accel" -smp 1 -m 1024M \
        -nodefaults -no-user-config -display none -daemonize -pidfile "$work/$name.pid" \
        -kernel "$img/vmlinuz" -initrd "$img/initrd.img" -append "$(cat "$img/cmdline")" \
        -drive file="$work/$name.qcow2",if=virtio,format=qcow2 \
        -drive file="$work/$name-seed.iso",if=virtio,format=raw,readonly=on \
        -netdev "$netdev" -device virtio-net-pci,netdev=n0 -device virtio-rng-pci \
        -serial file:"$work/$name-serial.log" "$@"
}

on() { # VM COMMAND...: run a shell command in the VM over ssh
    local port
    [[ $1 == pc ]] && port=$pc_ssh || port=$ws_ssh
    shift
    ssh -q -F /dev/null -i "$work/id" -p "$port" -o IdentitiesOnly=yes -o UserKnownHostsFile="$work/known_hosts" \
        -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=20 bench@127.0.0.1 "$@"
}

wait_ssh() {
    local deadline=$((SECONDS + ${BOOT_TIMEOUT:-1800}))
    # ready = cloud-init has created the user and loaded the module (runcmd runs last); no
    # `cloud-init status --wait`: its Python start-up alone takes a minute on a loaded TCG guest
    until on "$1" "test -d /sys/module/$2" 2>/dev/null; do
        ((SECONDS < deadline)) || { echo "timeout waiting for $1; serial log:" >&2; tail -20 "$work/$1-serial.log" >&2; exit 1; }
        kill -0 "$(cat "$work/$1.pid")" || { echo "qemu of $1 exited" >&2; exit 1; }
        sleep 1
    done
}

log "writing the ${size_mib} MiB device image"
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$work/usb.raw"
want_sha=$(sha256sum "$work/usb.raw" | cut -d' ' -f1)

seed pc usbip_host
seed ws vhci_hcd
t0=$SECONDS
boot pc "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$pc_ssh-:22,hostfwd=tcp:127.0.0.1:$pc_usbip-:3240" \
    -device qemu-xhci,id=xhci -drive if=none,id=usbdisk,format=raw,file="$work/usb.raw" \
    -device usb-storage,bus=xhci.0,drive=usbdisk
# guestfwd cmd: QEMU runs the command per guest connection with the connection on stdin/stdout.
# When the guest closes (usbip detach), the relay must close its end towards the pc at once, or the
# pc's usbip-host keeps the device "exported" (busy) and the next attach is refused.
relay="bash -c 'exec 3<>/dev/tcp/127.0.0.1/$pc_usbip; cat <&3 & c=\$!; cat >&3; kill \$c'"
boot ws "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$ws_ssh-:22,guestfwd=tcp:10.0.2.100:3240-cmd:${relay//,/,,}"
log "booting pc and ws (accel $accel)"
wait_ssh pc usbip_host & wait_pc=$!
wait_ssh ws vhci_hcd
wait "$wait_pc"
log "both VMs up after $((SECONDS - t0)) s"

busid=$(on pc 'sudo usbip list -l' | sed -nE 's/^ - busid ([0-9.-]+) \(46f4:0001\).*/\1/p' | head -1)
[[ -n "$busid" ]] || { echo "no 46f4:0001 device in the pc VM:" >&2; on pc 'sudo usbip list -l' >&2; exit 1; }
on pc "sudo usbipd -D && sudo usbip bind -b $busid" >/dev/null
log "pc exports busid $busid"

ssh -N -F /dev/null -i "$work/id" -p "$ws_ssh" -o IdentitiesOnly=yes -o UserKnownHostsFile="$work/known_hosts" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -o ExitOnForwardFailure=yes -o ServerAliveInterval=15 \
    -R "127.0.0.1:3241:127.0.0.1:$pc_usbip" bench@127.0.0.1 &
tunnel_pid=$!

# One measurement inside ws: attach from HOST:PORT, verify, time, detach. Prints "mibps median_us p99_us".
measure() {
    on ws "sudo python3 - $1 $2 $busid $want_sha $reads" <<'PY'
import glob, hashlib, mmap, os, random, re, subprocess, sys, time
host, port, busid, want, reads = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
def usb_disk():
    for d in glob.glob("/sys/block/sd*"):
        if "vhci_hcd" in os.path.realpath(d) and os.path.exists("/dev/" + os.path.basename(d)):
            return "/dev/" + os.path.basename(d)
deadline = time.time() + 60
while True:
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
out = subprocess.run(["usbip", "port"], capture_output=True, text=True).stdout
for p in re.findall(r"^Port (\d+): <Port in Use>", out, re.M):
    subprocess.run(["usbip", "detach", "-p", p], check=True, capture_output=True)
print("%.2f %.0f %.0f" % (mibps, lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))]))
PY
}

declare -a direct tunnel
for ((r = 1; r <= rounds; r++)); do
    # the pc's usbip-host needs a moment after a detach before the device is importable again
    log "round $r: direct (guestfwd, no SSH)"
    direct+=("$(measure 10.0.2.100 3240)")
    log "  ${direct[-1]}"
    log "round $r: tunnel (ssh -R)"
    tunnel+=("$(measure 127.0.0.1 3241)")
    log "  ${tunnel[-1]}"
done

python3 - "$size_mib" "$reads" "${direct[@]}" -- "${tunnel[@]}" <<'PY'
import statistics, sys
size, reads = sys.argv[1], sys.argv[2]
rest = sys.argv[3:]
cut = rest.index("--")
def cols(rows): return [list(map(float, r.split())) for r in rows]
d, t = cols(rest[:cut]), cols(rest[cut + 1:])
def med(rows, i): return statistics.median(r[i] for r in rows)
print(f"USB/IP read of a {size} MiB QEMU usb-storage disk, {reads} random 4 KiB O_DIRECT reads, {len(d)} rounds (medians of rounds)")
print(f"{'':22}{'direct (no SSH)':>18}{'tunnel (ssh -R)':>18}{'tunnel/direct':>15}")
for name, i in (("throughput MiB/s", 0), ("latency median us", 1), ("latency p99 us", 2)):
    a, b = med(d, i), med(t, i)
    print(f"{name:22}{a:18.2f}{b:18.2f}{b / a:15.2f}")
PY
