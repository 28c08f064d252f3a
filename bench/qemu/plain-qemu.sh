#!/usr/bin/env bash
# Baseline for the "create -> first ssh" and "stop -> start" benchmarks: boots the same test image
# with the same kind of NoCloud seed (user + key + pinned host key) using plain qemu-system and
# genisoimage, as a person would by hand, and times until the first successful ssh.
#
#   bench/qemu/plain-qemu.sh IMAGE_DIR [ACCEL]     IMAGE_DIR from tools/test-image/build.sh
#
# Prints three lines: plain create->ssh, plain stop->start->ssh (stop request to first ssh after
# the boot) and plain start->ssh (boot to first ssh), each in seconds; then, untimed, cloud-init's
# `analyze blame` of both boots.
set -euo pipefail
img=${1:?usage: plain-qemu.sh IMAGE_DIR [tcg|kvm]}
accel=${2:-tcg}
work=$(mktemp -d /tmp/hangar-bench-plain.XXXXXX)
chmod 700 "$work"
pid=""
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N '' -f "$work/id" -C bench
ssh-keygen -q -t ed25519 -N '' -f "$work/host" -C host
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$work/host.pub")" > "$work/known_hosts"
cat > "$work/meta-data" <<EOT
instance-id: bench-$$
local-hostname: bench
EOT
{
  echo "#cloud-config"
  echo "users:"
  echo "  - name: bench"
  echo "    sudo: ALL=(ALL) NOPASSWD:ALL"
  echo "    shell: /bin/bash"
  echo "    ssh_authorized_keys: [\"$(cat "$work/id.pub")\"]"
  echo "ssh_deletekeys: true"
  echo "ssh_keys:"
  echo "  ed25519_private: |"
  sed 's/^/    /' "$work/host"
  echo "  ed25519_public: $(cat "$work/host.pub")"
} > "$work/user-data"

t0=$(date +%s.%N)
qemu-img create -q -f qcow2 -F raw -b "$img/root.raw" "$work/disk.qcow2" 16G
genisoimage -quiet -output "$work/seed.iso" -volid cidata -joliet -rock "$work/user-data" "$work/meta-data"
boot() {
  # The same machine as Hangar's QemuCommandLine (q35, virtio disks, user networking without
  # restrict, virtio-rng), minus what only a managed VM needs (pidfile, QMP, console socket).
  qemu-system-x86_64 -machine q35 -accel "$accel" -smp 2 -m 1024M -nodefaults -no-user-config -display none \
    -kernel "$img/vmlinuz" -initrd "$img/initrd.img" -append "$(cat "$img/cmdline" 2>/dev/null || echo 'root=/dev/vda rw console=ttyS0 net.ifnames=0')" \
    -drive file="$work/disk.qcow2",if=virtio,format=qcow2,cache=writeback,discard=unmap \
    -drive file="$work/seed.iso",if=virtio,format=raw,readonly=on \
    -netdev user,id=n0,hostfwd=tcp:127.0.0.1:$port-:22 -device virtio-net-pci,netdev=n0 \
    -serial file:"$work/serial.log" -device virtio-rng-pci &
  pid=$!
}
wait_ssh() {
  local deadline=$((SECONDS + 1500))
  until ssh -q -i "$work/id" -p "$port" -o UserKnownHostsFile="$work/known_hosts" -o StrictHostKeyChecking=yes \
      -o BatchMode=yes -o ConnectTimeout=2 bench@127.0.0.1 true 2>/dev/null; do
    (( SECONDS < deadline )) || { echo "timeout waiting for ssh" >&2; exit 1; }
    kill -0 "$pid" || { echo "qemu exited" >&2; exit 1; }
    sleep 0.5
  done
}
boot; wait_ssh
t1=$(date +%s.%N)
printf 'plain create->ssh %.1f\n' "$(echo "$t1 - $t0" | bc)"

# Stop is timed from the request to the next first ssh, as hangar-vs-plain.sh times `hangar stop`.
ssh -q -i "$work/id" -p "$port" -o UserKnownHostsFile="$work/known_hosts" -o BatchMode=yes \
  bench@127.0.0.1 sudo poweroff </dev/null || true
wait "$pid" || true
pid=""
t2=$(date +%s.%N)
boot; wait_ssh
t3=$(date +%s.%N)
printf 'plain stop->start->ssh %.1f\n' "$(echo "$t3 - $t1" | bc)"
printf 'plain start->ssh %.1f\n' "$(echo "$t3 - $t2" | bc)"
# After the timing: cloud-init's module times of both boots, for hangar-vs-plain.sh to print beside
# the Hangar guest's.
echo "plain blame: cloud-init analyze blame in the guest (boots 1 and 2):"
ssh -q -i "$work/id" -p "$port" -o UserKnownHostsFile="$work/known_hosts" -o BatchMode=yes \
  bench@127.0.0.1 sudo cloud-init analyze blame </dev/null 2>&1 | awk '/Boot Record/ {n++} n == 1 || n == 2' \
  | grep -v '^ *$' | head -n 40 || true
