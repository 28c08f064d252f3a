#!/usr/bin/env bash
# Builds the Kubernetes 1.20.2 binaries Hangar's real-cluster integration test runs, from Debian's
# `kubernetes` source package (the full upstream v1.20.2 tree with vendor/; it builds offline with
# Debian 12's Go 1.19). No registry reachable from CI ships kube-apiserver/kubelet binaries, so the
# project builds them itself, once per machine.
#
# Output: a directory holding
#   bin/kube-apiserver bin/kube-controller-manager bin/kube-scheduler bin/kubelet bin/kube-proxy
#   bin/kubectl        (same version as the server; used when no kubectl is on PATH)
#   bin/pause          the static pause binary (build/pause/linux/pause.c of the same tree)
#   VERSION            v1.20.2
# cached under ${HANGAR_TEST_CACHE:-~/.cache/hangar-test}/k8s-1.20.2-<first 12 hex of this
# script's sha256>/, so editing the script rebuilds. The directory is printed on stdout (the only
# stdout line); progress goes to stderr. With the cache present the script returns at once.
#
# Needs: root (apt-get), network access to the Debian mirror for the apt packages and the orig
# tarball. Installs what it needs when missing: golang-go golang-github-modern-go-reflect2-dev
# rsync make gcc libc6-dev curl ca-certificates (the build) and the runtime packages up.sh uses
# (etcd-server containerd runc containernetworking-plugins iptables conntrack openssl iproute2).
# Mirror: $HANGAR_DEBIAN_MIRROR, else the first deb.debian.org-style URI in the host's apt sources,
# else http://deb.debian.org/debian. The orig tarball is checked against its sha256 (from the
# Debian .dsc of kubernetes 1.20.5+really1.20.2) and kept in <cache>/k8s-build/ with the Go build
# cache, so a rebuild after editing this script reuses compiled packages.
#
# Cold build: ~260 s on an idle 2-core machine (peak RSS ~1.3 GB); much longer under load.
# Safe against partial runs: the output is assembled in a temporary directory and renamed into
# place; a lock serialises concurrent runs.
set -euo pipefail

script_path="$(readlink -f "${BASH_SOURCE[0]}")"
hash="$(sha256sum "$script_path" | cut -c1-12)"
cache="${HANGAR_TEST_CACHE:-$HOME/.cache/hangar-test}"
out="$cache/k8s-1.20.2-$hash"
bins=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl pause)

complete() {
    local b
    for b in "${bins[@]}"; do [[ -x "$out/bin/$b" ]] || return 1; done
}
if complete; then
    echo "$out"
    exit 0
fi

log() { echo "k8s/build.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

[[ "$(id -u)" == 0 ]] || die "must run as root (it installs apt packages); try: sudo $0"

# shellcheck source=tools/k8s/apt.sh
source "$(dirname "$script_path")/apt.sh"
ensure_packages golang-go golang-github-modern-go-reflect2-dev rsync make gcc libc6-dev curl \
    ca-certificates etcd-server containerd runc containernetworking-plugins iptables conntrack \
    openssl iproute2 util-linux
go_version="$(go env GOVERSION)"
[[ "$go_version" == go1.19* ]] || log "warning: Go is $go_version; the recipe was verified with go1.19 (Debian 12)"

mirror="${HANGAR_DEBIAN_MIRROR:-}"
if [[ -z "$mirror" ]]; then
    mirror="$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
        | grep -v security | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//' \
        | awk 'NR == 1 {print $1}' || true)"
    mirror="${mirror:-http://deb.debian.org/debian}"
fi

build_root="$cache/k8s-build"
mkdir -p "$build_root"
exec 9>"$cache/.k8s-1.20.2.lock"
flock 9
# Another run may have finished while this one waited for the lock.
if complete; then
    echo "$out"
    exit 0
fi

start=$SECONDS
version=1.20.5+really1.20.2
orig="kubernetes_${version}.orig.tar.gz"
orig_sha256=b83c0780efb182d928dc63d46488a847f161f04e40a94b96bf5247dd671ecdfc
if ! echo "$orig_sha256  $build_root/$orig" | sha256sum -c --status - 2>/dev/null; then
    url="${mirror%/}/pool/main/k/kubernetes/$orig"
    log "downloading $url"
    curl -fsSL --retry 3 -o "$build_root/$orig.part" "$url" \
        || die "could not download $url (is the Debian mirror reachable? set HANGAR_DEBIAN_MIRROR)"
    echo "$orig_sha256  $build_root/$orig.part" | sha256sum -c --status - \
        || die "$url does not have the expected sha256 $orig_sha256"
    mv "$build_root/$orig.part" "$build_root/$orig"
fi

work="$(mktemp -d "$cache/.k8s-1.20.2-$hash.tmp.XXXXXX")"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

log "unpacking $orig"
src="$work/gopath/src/k8s.io/kubernetes"
mkdir -p "$work/gopath/src/k8s.io"
tar -xzf "$build_root/$orig" -C "$work/gopath/src/k8s.io"
mv "$work/gopath/src/k8s.io/kubernetes-1.20.2" "$src"

# The vendored reflect2 v1.0.1 crashes with Go >= 1.18 (it relies on runtime internals that
# changed); Debian's 1.0.2 has the same API and works.
reflect2=/usr/share/gocode/src/github.com/modern-go/reflect2
rm -rf "$src/vendor/github.com/modern-go/reflect2/"*
cp "$reflect2"/*.go "$reflect2"/*.s "$src/vendor/github.com/modern-go/reflect2/"
rm -f "$src/vendor/github.com/modern-go/reflect2/"*_test.go

export GOCACHE="$build_root/gocache"
cd "$src"
# The OpenAPI definitions are generated code that the tarball lacks; without them the apiserver
# fails with "undefined: openapi.GetOpenAPIDefinitions".
log "make gen_openapi"
make gen_openapi >&2 || die "make gen_openapi failed; see the log above"

# GOPATH mode: module mode fails on this tree with go1.19.
export GOPATH="$work/gopath" GO111MODULE=off CGO_ENABLED=0
p=k8s.io/kubernetes/vendor/k8s.io
ldflags="-s -w -X $p/component-base/version.gitVersion=v1.20.2 -X $p/component-base/version.gitMajor=1"
ldflags+=" -X $p/component-base/version.gitMinor=20 -X $p/client-go/pkg/version.gitVersion=v1.20.2"
ldflags+=" -X $p/client-go/pkg/version.gitMajor=1 -X $p/client-go/pkg/version.gitMinor=20"
ldflags+=" -X $p/component-base/version.gitTreeState=clean"
mkdir -p "$work/out/bin"
log "go build (5 daemons + kubectl)"
go build -ldflags "$ldflags" -o "$work/out/bin/" ./cmd/kube-apiserver ./cmd/kube-controller-manager \
    ./cmd/kube-scheduler ./cmd/kubelet ./cmd/kube-proxy ./cmd/kubectl >&2 \
    || die "go build failed; see the log above"
# The sandbox ("pause") container's process; static so the image needs no libc.
gcc -Os -static -o "$work/out/bin/pause" build/pause/linux/pause.c >&2 || die "gcc -static pause.c failed"
strip "$work/out/bin/pause" 2>/dev/null || true
echo v1.20.2 >"$work/out/VERSION"

rm -rf "$out"
mv "$work/out" "$out"
log "built $out in $((SECONDS - start)) s"
echo "$out"
