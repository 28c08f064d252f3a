#!/bin/sh
# Hangar reference workspace entrypoint (image contract: images/workspace/README.md).
#
# Runs as the non-root image user. Registers HANGAR_USER with this uid, creates the home on the
# volume with mode 0700, copies the SSH host key and authorized_keys from the mounted Secret into a
# private directory (sshd refuses group-readable private keys, and Secret files are 0440 through
# fsGroup), then replaces itself with sshd in the foreground, logging to stderr.
set -eu

fail() {
    echo "hangar-entrypoint: $*" >&2
    exit 1
}

: "${HANGAR_USER:?hangar-entrypoint: set HANGAR_USER to the login user name}"
SSH_DIR=${HANGAR_SSH_DIR:-/etc/hangar/ssh}
PORT=${HANGAR_SSH_PORT:-2222}
RUN_DIR=${HANGAR_RUN_DIR:-/opt/hangar/run}
STORAGE=${HANGAR_STORAGE:-/storage}
BASE_CONFIG=${HANGAR_SSHD_BASE_CONFIG:-/opt/hangar/sshd_config}
SSHD=${HANGAR_SSHD:-/usr/sbin/sshd}
HOME=${HOME:-$STORAGE/home/$HANGAR_USER}
export HOME

uid=$(id -u)
gid=$(id -g)
[ "$uid" -ne 0 ] || fail "refusing to run sshd as root; run the container as the image user (uid 1000)"
case "$HANGAR_USER" in
    *[!a-z0-9_-]* | [!a-z_]*) fail "HANGAR_USER='$HANGAR_USER' is not a POSIX user name" ;;
esac

# 1. The login user owns this uid. sshd running as non-root only admits the user it runs as, and
#    getpwuid() (id -un, whoami, ls -l, the shell prompt) names the FIRST passwd entry of the uid:
#    so HANGAR_USER replaces any other name of this uid (the image's placeholder user "hangar")
#    instead of being appended after it. Its primary group takes the same name when that is free.
entry=$(getent passwd "$HANGAR_USER" || true)
if [ -n "$entry" ] && [ "$(echo "$entry" | cut -d: -f3)" != "$uid" ]; then
    fail "user $HANGAR_USER exists with uid $(echo "$entry" | cut -d: -f3), but the container runs as uid $uid"
fi
state=$(awk -F: -v u="$HANGAR_USER" -v id="$uid" -v h="$HOME" '
    $1 == u || $3 == id { n++; if ($1 == u && $3 == id && $6 == h) ok++ }
    END { print (n == 1 && ok == 1) ? "ok" : "rewrite" }' /etc/passwd)
if [ "$state" != ok ]; then
    [ -w /etc/passwd ] || fail "cannot make $HANGAR_USER the user of uid $uid with HOME=$HOME: /etc/passwd is not writable by uid $uid"
    tmp=$(mktemp)
    awk -F: -v OFS=: -v u="$HANGAR_USER" -v id="$uid" -v g="$gid" -v h="$HOME" '
        $1 == u || $3 == id {
            if (!done) print u, "x", id, g, "Hangar workspace user", h, ($7 == "" ? "/bin/bash" : $7)
            done = 1
            next
        }
        { print }
        END { if (!done) print u, "x", id, g, "Hangar workspace user", h, "/bin/bash" }' /etc/passwd >"$tmp"
    cat "$tmp" >/etc/passwd
    rm -f "$tmp"
fi
if ! getent group "$HANGAR_USER" >/dev/null && [ -w /etc/group ]; then
    tmp=$(mktemp)
    awk -F: -v OFS=: -v u="$HANGAR_USER" -v id="$gid" '$3 == id && !done { $1 = u; done = 1 } { print }' \
        /etc/group >"$tmp"
    cat "$tmp" >/etc/group
    rm -f "$tmp"
fi

# 2. The home, one level below the volume root: the root of a fresh volume belongs to root or is
#    group-writable (fsGroup), which sshd's StrictModes rejects for ~/.ssh (seed 003).
[ -d "$STORAGE" ] || fail "$STORAGE is missing: mount the home volume there"
mkdir -p "$HOME"
[ "$(stat -c %u "$HOME")" = "$uid" ] || fail "$HOME belongs to uid $(stat -c %u "$HOME"), not $uid"
chmod 0700 "$HOME"
if [ ! -e "$HOME/.profile" ] && [ -d /etc/skel ]; then
    cp -R /etc/skel/. "$HOME/"
fi

# 3. sshd's files, private to this uid.
umask 077
mkdir -p "$RUN_DIR"
chmod 0700 "$RUN_DIR"
[ -r "$SSH_DIR/authorized_keys" ] || fail "no readable $SSH_DIR/authorized_keys: mount the workspace Secret there"
cp "$SSH_DIR/authorized_keys" "$RUN_DIR/authorized_keys"
config="$RUN_DIR/sshd_config"
{
    echo "# written by hangar-entrypoint at start"
    echo "Port $PORT"
    # Default: every address of the pod. Set HANGAR_SSH_LISTEN to restrict (tests use 127.0.0.1).
    [ -z "${HANGAR_SSH_LISTEN:-}" ] || echo "ListenAddress $HANGAR_SSH_LISTEN"
    echo "PidFile $RUN_DIR/sshd.pid"
    echo "AuthorizedKeysFile $RUN_DIR/authorized_keys .ssh/authorized_keys"
} >"$config"
found=0
for key in "$SSH_DIR"/ssh_host_*_key; do
    [ -r "$key" ] || continue
    name=$(basename "$key")
    cp "$key" "$RUN_DIR/$name"
    [ -r "$key.pub" ] && cp "$key.pub" "$RUN_DIR/$name.pub"
    echo "HostKey $RUN_DIR/$name" >>"$config"
    # Hangar's host certificate of this key (signed by its host CA), when the Secret has one
    if [ -r "$key-cert.pub" ]; then
        cp "$key-cert.pub" "$RUN_DIR/$name-cert.pub"
        echo "HostCertificate $RUN_DIR/$name-cert.pub" >>"$config"
    fi
    found=1
done
[ "$found" = 1 ] || fail "no readable $SSH_DIR/ssh_host_*_key: mount the workspace Secret there"
echo "Include $BASE_CONFIG" >>"$config"

"$SSHD" -t -f "$config" || fail "sshd rejected $config"
echo "hangar-entrypoint: sshd for $HANGAR_USER (uid $uid) on port $PORT, HOME=$HOME" >&2
exec "$SSHD" -D -e -f "$config"
