# Sourced by the tools/k8s scripts: installs Debian packages that are missing (as root).
# ensure_packages PKG...: installs the missing ones with --no-install-recommends; runs
# `apt-get update` only when the first install attempt fails (stale or empty package lists).

ensure_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0
    echo "tools/k8s: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
        apt-get update >&2 || true
        apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
            || { echo "tools/k8s: error: apt-get install ${missing[*]} failed; see above" >&2; return 1; }
    fi
}
