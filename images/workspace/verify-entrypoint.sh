#!/bin/sh
# Checks the image contract without Docker: runs entrypoint.sh with the host's real OpenSSH sshd as
# a throw-away non-root user, with a "volume root" that is group-writable and setgid (what fsGroup
# gives a fresh PVC) and Secret-like files of mode 0440, then logs in with the real ssh client
# pinning the host key, writes to HOME, and logs in again with a key the user put in
# ~/.ssh/authorized_keys (the StrictModes case of seed 003). Needs root (creates a user), sshd,
# ssh, ssh-keygen and setpriv; listens on 127.0.0.1 only; removes everything it made.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PORT=${PORT:-22229}
USER_NAME=hgverify
UID_NUM=1990
# Under a root-owned 0755 parent: StrictModes walks from authorized_keys up to /, and a sticky
# world-writable parent such as /tmp or /var/tmp fails it ("bad ownership or modes").
T=$(mktemp -d /var/lib/hangar-entrypoint.XXXXXX)
chmod 0755 "$T"
SSHD_PID=""
cleanup() {
    if [ -n "$SSHD_PID" ]; then
        kill "$SSHD_PID" 2>/dev/null || true
        wait "$SSHD_PID" 2>/dev/null || true
    fi
    userdel "$USER_NAME" 2>/dev/null || true
    groupdel "$USER_NAME" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

useradd --uid "$UID_NUM" --user-group --no-create-home --home-dir "$T/storage/home/$USER_NAME" \
    --shell /bin/sh "$USER_NAME"
mkdir -p "$T/ssh" "$T/storage" "$T/client" "$T/opt"
chgrp "$UID_NUM" "$T/storage" && chmod 2775 "$T/storage"
chmod 0700 "$T/client"
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/ssh_host_ed25519_key" -C workspace-host
# Hangar's host CA signs the host key (as the control plane does) for dev.hangar
ssh-keygen -q -t ed25519 -N '' -f "$T/client/host_ca" -C hangar-host-ca
ssh-keygen -q -s "$T/client/host_ca" -I hangar:verify/dev -h -n dev.hangar,dev.verify.hangar \
    "$T/ssh/ssh_host_ed25519_key.pub"
ssh-keygen -q -t ed25519 -N '' -f "$T/client/id" -C secret-key
ssh-keygen -q -t ed25519 -N '' -f "$T/client/id2" -C home-key
cp "$T/client/id.pub" "$T/ssh/authorized_keys"
chgrp "$UID_NUM" "$T/ssh"/* && chmod 0440 "$T/ssh"/*
install -d -o "$UID_NUM" -g "$UID_NUM" -m 0700 "$T/opt/run"
cp "$HERE/sshd_config" "$T/opt/sshd_config"
awk -v p="$PORT" '{ print "[127.0.0.1]:" p " " $1 " " $2 }' "$T/ssh/ssh_host_ed25519_key.pub" >"$T/client/known_hosts"
awk '{ print "@cert-authority *.hangar " $1 " " $2 }' "$T/client/host_ca.pub" >"$T/client/known_hosts_ca"

setpriv --reuid="$UID_NUM" --regid="$UID_NUM" --clear-groups env -i PATH=/usr/sbin:/usr/bin:/bin \
    HANGAR_USER="$USER_NAME" HOME="$T/storage/home/$USER_NAME" HANGAR_SSH_DIR="$T/ssh" \
    HANGAR_SSH_PORT="$PORT" HANGAR_SSH_LISTEN=127.0.0.1 HANGAR_RUN_DIR="$T/opt/run" \
    HANGAR_STORAGE="$T/storage" HANGAR_SSHD_BASE_CONFIG="$T/opt/sshd_config" \
    sh "$HERE/entrypoint.sh" >"$T/sshd.log" 2>&1 &
SSHD_PID=$!

ssh_to() {
    ssh -F /dev/null -i "$1" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
        -o UserKnownHostsFile="$T/client/known_hosts" -o ConnectTimeout=5 -p "$PORT" "$USER_NAME@127.0.0.1" "$2"
}
i=0
until ssh_to "$T/client/id" true 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -lt 25 ] || { cat "$T/sshd.log"; echo "FAIL: sshd did not accept the Secret's key"; exit 1; }
    sleep 0.2
done
out=$(ssh_to "$T/client/id" 'echo "$HOME"; stat -c %a "$HOME"; echo kept >"$HOME/file"; mkdir -p -m 700 ~/.ssh; cat >~/.ssh/authorized_keys' <"$T/client/id2.pub")
[ "$(echo "$out" | sed -n 1p)" = "$T/storage/home/$USER_NAME" ] || { echo "FAIL: HOME is $(echo "$out" | sed -n 1p)"; exit 1; }
# 2700 is fine: the setgid bit comes from the fsGroup-style parent; group and others get nothing.
case "$(echo "$out" | sed -n 2p)" in 700 | 2700) ;; *) false ;; esac || { echo "FAIL: home mode $(echo "$out" | sed -n 2p)"; exit 1; }
[ "$(ssh_to "$T/client/id2" 'cat "$HOME/file"')" = kept ] || { cat "$T/sshd.log"; echo "FAIL: ~/.ssh/authorized_keys login"; exit 1; }
# Only the CA line, no pinned key: the certificate from the Secret must be what sshd presents
ssh -F /dev/null -i "$T/client/id" -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
    -o UserKnownHostsFile="$T/client/known_hosts_ca" -o HostKeyAlias=dev.hangar -o ConnectTimeout=5 \
    -p "$PORT" "$USER_NAME@127.0.0.1" true || { cat "$T/sshd.log"; echo "FAIL: host certificate not accepted"; exit 1; }
echo "OK: non-root sshd on 127.0.0.1:$PORT, pinned host key and host certificate, HOME=$T/storage/home/$USER_NAME (0700), ~/.ssh/authorized_keys honoured"
