#!/usr/bin/env bash
# Builds Hangar's small Debian 12 (bookworm) test image for real-QEMU integration tests.
#
# Output: a "kernel boot" image directory holding
#   vmlinuz      the guest kernel (linux-image-amd64 from bookworm)
#   initrd.img   its initramfs
#   root.raw     a raw ext4 root filesystem (no partition table; root=/dev/vda)
#   cmdline      the kernel command line the image expects
# cached under ${HANGAR_TEST_CACHE:-~/.cache/hangar-test}/debian12-<first 12 hex of this
# script's sha256>/, so editing the script rebuilds. The directory is printed on stdout (the only
# stdout line); progress goes to stderr. With the cache present the script returns at once.
#
# The guest runs cloud-init (NoCloud datasource, then None), openssh-server, sudo, ifupdown (cloud-init
# renders its network configuration: DHCP on eth0 by default, or the seed's network-config, e.g. a
# lab NIC with a static address), and has the usbip userspace tools for USB/IP tests and ping
# (iputils-ping) for lab network tests.
#
# Needs: root, and the apt packages debootstrap and e2fsprogs (mkfs.ext4 -d, e2fsprogs >= 1.43).
# Mirror: $HANGAR_DEBIAN_MIRROR, else the first deb.debian.org-style URI in the host's apt sources,
# else http://deb.debian.org/debian. Package downloads are cached in <cache>/debootstrap-debs.
#
# Safe against partial runs: everything is built in a temporary directory next to the cache entry
# and renamed into place at the end; a lock serialises concurrent runs; an interrupted run leaves
# nothing behind but the reusable package cache.
set -euo pipefail

script_path="$(readlink -f "${BASH_SOURCE[0]}")"
hash="$(sha256sum "$script_path" | cut -c1-12)"
cache="${HANGAR_TEST_CACHE:-$HOME/.cache/hangar-test}"
out="$cache/debian12-$hash"

# Fast path: a finished image is a directory that was renamed into place complete.
if [[ -f "$out/root.raw" && -f "$out/vmlinuz" && -f "$out/initrd.img" ]]; then
    echo "$out"
    exit 0
fi

log() { echo "build.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

[[ "$(id -u)" == 0 ]] || die "must run as root (debootstrap needs it); try: sudo $0"
for tool in debootstrap mkfs.ext4 sha256sum flock; do
    command -v "$tool" >/dev/null \
        || die "$tool not found; install it with: apt-get install -y --no-install-recommends debootstrap e2fsprogs util-linux coreutils"
done

mirror="${HANGAR_DEBIAN_MIRROR:-}"
if [[ -z "$mirror" ]]; then
    mirror="$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
        | grep -v security | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//' \
        | awk 'NR == 1 {print $1}' || true)"
    mirror="${mirror:-http://deb.debian.org/debian}"
fi

mkdir -p "$cache/debootstrap-debs"
exec 9>"$cache/.debian12.lock"
flock 9
# Another run may have finished while this one waited for the lock.
if [[ -f "$out/root.raw" ]]; then
    echo "$out"
    exit 0
fi

work="$(mktemp -d "$cache/.debian12-$hash.tmp.XXXXXX")"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
rootfs="$work/rootfs"
start=$SECONDS

# python3-cffi-backend: without it debootstrap cannot resolve cloud-init's dependencies.
# dbus + libpam-systemd: without them systemd ignores the ACPI power button (QMP system_powerdown).
packages=systemd-sysv,udev,dbus,libpam-systemd,linux-image-amd64,openssh-server,cloud-init
packages+=,python3-cffi-backend,ifupdown,isc-dhcp-client,iproute2,netbase,sudo,usbip,iputils-ping
log "debootstrap bookworm from $mirror (packages cached in $cache/debootstrap-debs)"
debootstrap --variant=minbase --cache-dir="$cache/debootstrap-debs" --include="$packages" \
    bookworm "$rootfs" "$mirror" >&2 || die "debootstrap failed; see the log above"

log "configuring the guest"
# minbase has no locales: cloud-init's locale module would fail and leave cloud-init in "error".
sed -i -E '/^[[:space:]]*-[[:space:]]*locale[[:space:]]*$/d' "$rootfs/etc/cloud/cloud.cfg"
cat >"$rootfs/etc/cloud/cloud.cfg.d/90-hangar-datasource.cfg" <<'CFG'
# Hangar passes user-data on a NoCloud seed disk (label cidata); never probe cloud metadata servers.
datasource_list: [ NoCloud, None ]
CFG
# Networking is cloud-init's, as on a cloud image: without a network-config on the seed it renders
# DHCP on eth0 (its fallback) into /etc/network/interfaces.d/50-cloud-init; a lab VM's seed brings
# a network-config (eth0 by DHCP plus the lab NIC with a static address). The image itself has no
# eth0 stanza, which would make ifup run dhclient twice next to cloud-init's.
echo "/dev/vda / ext4 defaults,errors=remount-ro 0 1" >"$rootfs/etc/fstab"
# Timers that would start apt in the background and slow every boot under TCG.
for unit in apt-daily.timer apt-daily-upgrade.timer apt-daily.service apt-daily-upgrade.service; do
    ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
done
# Every VM gets its own identity: machine-id on first boot, SSH host keys from cloud-init.
: >"$rootfs/etc/machine-id"
rm -f "$rootfs"/etc/ssh/ssh_host_*
echo debian12 >"$rootfs/etc/hostname"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

mkdir "$work/image"
cp "$(readlink -f "$rootfs/vmlinuz")" "$work/image/vmlinuz"
cp "$(readlink -f "$rootfs/initrd.img")" "$work/image/initrd.img"
echo "root=/dev/vda rw console=ttyS0 net.ifnames=0" >"$work/image/cmdline"

log "making the ext4 root disk (mkfs.ext4 -d, no loop mount)"
truncate -s 3G "$work/image/root.raw"
mkfs.ext4 -q -F -L hangar-root -d "$rootfs" "$work/image/root.raw" >&2

rm -rf "$out"
mv "$work/image" "$out"
log "built $out in $((SECONDS - start)) s"
echo "$out"
