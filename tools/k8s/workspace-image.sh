#!/usr/bin/env bash
# Builds the Hangar reference workspace image without Docker, for the real-cluster tests.
#
# The image follows the workspace image contract of images/workspace/README.md (non-root uid 1000,
# sshd on 2222 started by images/workspace/entrypoint.sh with images/workspace/sshd_config, HOME on
# the volume at /storage, login name from HANGAR_USER) like images/workspace/Dockerfile, but its
# root filesystem comes from debootstrap (Debian 12 minbase + openssh-server + sudo) instead of
# debian:12-slim and apt-get, because no registry or Docker is available here. The Dockerfile's
# convenience packages (git, curl, nano, locales, usbip, ...) are left out to keep the build short;
# the contract does not need them.
#
# Output: a directory holding
#   image.tar   docker-archive tarball (`ctr -n k8s.io images import image.tar`; `docker load`)
#   tag         the image reference inside it: localhost/hangar/workspace:test
# cached under ${HANGAR_TEST_CACHE:-~/.cache/hangar-test}/k8s-workspace-<first 12 hex of the sha256
# of this script, oci_archive.py, entrypoint.sh and sshd_config>/. The directory is printed on
# stdout (the only stdout line); progress goes to stderr. With the cache present it returns at once.
#
# Needs: root (debootstrap, chroot), apt packages debootstrap and python3 (installed when missing).
# Mirror: $HANGAR_DEBIAN_MIRROR, else the first deb.debian.org-style URI in the host's apt sources,
# else http://deb.debian.org/debian. Package downloads are cached in <cache>/debootstrap-debs
# (shared with tools/test-image/build.sh).
set -euo pipefail

here="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
repo="$(cd "$here/../.." && pwd)"
contract="$repo/images/workspace"
log() { echo "k8s/workspace-image.sh: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}
for f in entrypoint.sh sshd_config; do
    [[ -f "$contract/$f" ]] || die "$contract/$f is missing (the image contract files of images/workspace/)"
done
hash="$(cat "${BASH_SOURCE[0]}" "$here/oci_archive.py" "$contract/entrypoint.sh" "$contract/sshd_config" \
    | sha256sum | cut -c1-12)"
cache="${HANGAR_TEST_CACHE:-$HOME/.cache/hangar-test}"
out="$cache/k8s-workspace-$hash"
if [[ -f "$out/image.tar" && -f "$out/tag" ]]; then
    echo "$out"
    exit 0
fi

[[ "$(id -u)" == 0 ]] || die "must run as root (debootstrap, chroot); try: sudo $0"
# shellcheck source=tools/k8s/apt.sh
source "$here/apt.sh"
ensure_packages debootstrap python3

mirror="${HANGAR_DEBIAN_MIRROR:-}"
if [[ -z "$mirror" ]]; then
    mirror="$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
        | grep -v security | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//' \
        | awk 'NR == 1 {print $1}' || true)"
    mirror="${mirror:-http://deb.debian.org/debian}"
fi

mkdir -p "$cache/debootstrap-debs"
exec 9>"$cache/.k8s-workspace.lock"
flock 9
if [[ -f "$out/image.tar" && -f "$out/tag" ]]; then
    echo "$out"
    exit 0
fi
work="$(mktemp -d "$cache/.k8s-workspace-$hash.tmp.XXXXXX")"
cleanup() {
    # debootstrap may leave /proc or /sys mounted in the rootfs when it fails half-way.
    awk -v s="$work/" 'index($5, s) == 1 {print $5}' /proc/self/mountinfo | sort -r | xargs -r umount -l
    rm -rf "$work"
}
trap cleanup EXIT
rootfs="$work/rootfs"
start=$SECONDS

log "debootstrap bookworm minbase + openssh-server sudo from $mirror"
debootstrap --variant=minbase --cache-dir="$cache/debootstrap-debs" --include=openssh-server,sudo \
    bookworm "$rootfs" "$mirror" >&2 || die "debootstrap failed; see the log above"

log "applying the image contract (images/workspace/Dockerfile's steps)"
uid=1000
# Debian's postinst generated host keys; every container would share them. Hangar mounts its own.
rm -f "$rootfs"/etc/ssh/ssh_host_*
chroot "$rootfs" groupadd --gid "$uid" hangar
chroot "$rootfs" useradd --uid "$uid" --gid "$uid" --no-create-home --home-dir /storage/home/hangar \
    --shell /bin/bash hangar
# The entrypoint registers HANGAR_USER with this uid (the OpenShift arbitrary-user pattern).
chroot "$rootfs" chgrp "$uid" /etc/passwd /etc/group
chmod 0664 "$rootfs/etc/passwd" "$rootfs/etc/group"
echo "%#$uid ALL=(ALL) NOPASSWD: ALL" >"$rootfs/etc/sudoers.d/hangar"
chmod 0440 "$rootfs/etc/sudoers.d/hangar"
install -d -o "$uid" -g "$uid" -m 0700 "$rootfs/opt/hangar/run"
install -m 0644 "$contract/sshd_config" "$rootfs/opt/hangar/sshd_config"
install -m 0755 "$contract/entrypoint.sh" "$rootfs/opt/hangar/entrypoint.sh"
# sshd needs its privilege-separation directory even when it runs without privilege separation.
install -d -m 0755 "$rootfs/run/sshd"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
: >"$rootfs/etc/machine-id"
echo hangar-workspace >"$rootfs/etc/hostname"

log "assembling the docker-archive"
tag=localhost/hangar/workspace:test
mkdir "$work/out"
python3 "$here/oci_archive.py" --tag "$tag" --out "$work/out/image.tar" --rootfs "$rootfs" \
    --entrypoint /opt/hangar/entrypoint.sh --user "$uid:$uid" --expose 2222/tcp \
    --env LANG=C.UTF-8 --env HANGAR_SSH_DIR=/etc/hangar/ssh --env HANGAR_SSH_PORT=2222 \
    --env HANGAR_RUN_DIR=/opt/hangar/run --env HANGAR_STORAGE=/storage \
    || die "oci_archive.py failed"
echo "$tag" >"$work/out/tag"
rm -rf "$out"
mv "$work/out" "$out"
log "built $out in $((SECONDS - start)) s"
echo "$out"
