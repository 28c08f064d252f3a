#!/usr/bin/env bash
# Where a USB/IP message's time goes, hop by hop: `perf trace` (kernel syscall tracepoints, no ptrace
# stops) of every process on the path while the workspace does READS random 4 KiB O_DIRECT reads,
# once over the direct path and once over `hangar usb attach`'s gateway tunnel.
#
#   HOLD=1 bench/usb/bench.sh IMAGE_DIR &        # keeps the VMs and the server, prints $work/env
#   bench/usb/hops.sh WORK_DIR                    # this script; then rm WORK_DIR/env to end the bench
#
# For each hop "A writes on its socket -> B's read on the peer socket returns" and "B's read returns
# -> B writes the bytes on" it prints the median and p90 over all messages, in microseconds, from
# syscall end times (perf trace's start + duration). The processes and their sockets come from `ss -p`
# taken while the import stands: the workspace's QEMU (slirp), socat, the server's JVM (the
# gateway), the CLI's ssh, the pc's QEMU (its hostfwd to usbipd). Reported, not asserted.
# Env: READS (200), HANGAR_LAUNCHER (as bench.sh). Needs perf (linux-perf) and ss (iproute2).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
work=${1:?usage: hops.sh WORK_DIR (of a HOLD=1 bench.sh run)}
reads=${READS:-200}
launcher=${HANGAR_LAUNCHER:-$ROOT/bin/hangar}
# shellcheck disable=SC1091
. "$work/env" # work HANGAR_HOME HANGAR_URL key ws_ssh ws_user pc_ssh pc_usbip busid want_sha
export HANGAR_HOME HANGAR_URL
command -v perf >/dev/null || { echo "hops.sh: perf not found (apt: linux-perf)" >&2; exit 1; }
out=$work/hops
mkdir -p "$out"
# perf and the reader never outlive this script (they would keep whatever the caller holds open)
children=""
trap 'for c in $children; do kill "$c" 2>/dev/null || true; done' EXIT

hangar() {
    PATH="$work/bin:$PATH" HANGAR_AOT=off JDK_JAVA_OPTIONS="-Duser.home=$work/user" "$launcher" "$@" \
        2> >(grep -v '^NOTE: Picked up JDK_JAVA_OPTIONS' >&2)
}
on() {
    local port=$pc_ssh user=bench
    [[ $1 == ws ]] && port=$ws_ssh user=$ws_user
    shift
    ssh -q -F /dev/null -i "$key" -p "$port" -o IdentitiesOnly=yes -o UserKnownHostsFile="$work/known_hosts" \
        -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=20 "$user@127.0.0.1" "$@"
}
# In the ws: wait for the vhci disk, then READS timed random reads (the same as bench.sh's).
# The script goes in as an argument (base64), so that stdin stays free for the "go" line.
reader() {
    on ws "echo $(base64 -w0 <<<"$reader_py") | base64 -d >/tmp/hops-reader.py && sudo python3 /tmp/hops-reader.py $reads"
}
reader_py=$(cat <<'PY'
import glob, mmap, os, random, sys, time
reads = int(sys.argv[1])
def disk():
    for d in glob.glob("/sys/block/sd*"):
        if "vhci_hcd" in os.path.realpath(d) and open(d + "/size").read().strip() != "0":
            return "/dev/" + os.path.basename(d)
deadline = time.time() + 120
while disk() is None:
    if time.time() > deadline: sys.exit("no usb disk appeared")
    time.sleep(0.2)
if sys.stdin.readline() != "go\n": sys.exit("no go")
fd = os.open(disk(), os.O_RDONLY | os.O_DIRECT)
size = os.lseek(fd, 0, os.SEEK_END)
buf = mmap.mmap(-1, 4096)
rnd = random.Random(7)
lat = []
for _ in range(reads):
    off = rnd.randrange(size // 4096) * 4096
    t = time.perf_counter_ns()
    os.preadv(fd, [buf], off)
    lat.append((time.perf_counter_ns() - t) / 1000)
lat.sort()
print("guest: %d reads, median %.0f us, p90 %.0f us" % (reads, lat[len(lat) // 2], lat[int(len(lat) * 0.9)]))
PY
)

ws_qemu=$(cat "$HANGAR_HOME"/providers/qemu/workspaces/*/qemu.pid | head -1)
pc_qemu=$(cat "$work/pc.pid")
server=$(cat "$HANGAR_HOME/server.pid")
server_java=$(pgrep -P "$server" java || echo "$server") # the launcher execs java; its pid when it did

tasks() { # NAME: append "pid tid" of every thread on the path
    local p
    for p in $ws_qemu $pc_qemu $server_java $(pgrep -x socat) $(pgrep -f 'ssh .*usbip:3240' || true); do
        ls /proc/"$p"/task 2>/dev/null | sed "s/^/$p /"
    done >>"$out/$1.tasks"
}

trace_path() { # NAME: perf trace around one reader run whose import the caller set up
    local name=$1 fifo=$out/$1.go
    mkfifo "$fifo"
    reader <"$fifo" >"$out/$name.guest" &
    local rpid=$!
    children="$children $rpid"
    exec 7>"$fifo"
    # the disk is there once the import's sockets are: snapshot them (with pids and fds)
    local deadline=$((SECONDS + 120))
    until ss -Htnp state established "( sport = :$pc_usbip or dport = :$pc_usbip )" | grep -q qemu; do
        ((SECONDS < deadline)) || { echo "hops.sh: no connection to the pc's usbipd" >&2; exit 1; }
        sleep 0.5
    done
    sleep 3 # the guest's attach and the disk's probing settle
    ss -Htnp >"$out/$name.tcp"
    ss -Hxp >"$out/$name.unix"
    tasks "$name"
    perf trace -a -o "$out/$name.perf" -e read,write,readv,writev,recvfrom,sendto,recvmsg,sendmsg &
    local ppid=$!
    children="$children $ppid"
    sleep 2
    echo go >&7
    exec 7>&-
    wait "$rpid"
    kill -INT "$ppid"
    wait "$ppid" || true
    tasks "$name" # threads started during the trace (a JVM may add carriers)
    rm -f "$fifo"
}

echo "hops: load $(uptime)"
on ws "sudo usbip --tcp-port $pc_usbip attach -r 10.0.2.2 -b $busid"
trace_path direct
on ws 'sudo sh -c "for p in \$(usbip port | sed -n \"s/^Port \([0-9]*\): <Port in Use>.*/\1/p\"); do usbip detach -p \$p; done"' >/dev/null

hangar usb attach ws "$busid" --usbipd "127.0.0.1:$pc_usbip" --no-bind >"$out/attach.log" 2>&1 &
attach=$!
trace_path gateway
hangar usb detach ws "$busid" >/dev/null || kill "$attach" 2>/dev/null || true
wait "$attach" || true
echo "hops: load $(uptime)"

python3 "$here/hops.py" "$out" "$pc_usbip" "$ws_qemu" "$pc_qemu" "$server_java" "$ws_ssh"
