# Sourced by bench scripts that run their own Hangar server (bench/lib/server.sh) with QEMU workspaces.
#
# wait_workspace_ssh WORKSPACE KEY [LIMIT_SECONDS]: returns at the first successful `ssh ... true` to
# WORKSPACE's forwarded sshd on 127.0.0.1 as its owner, with private key KEY and only the host key
# the server pinned for it (StrictHostKeyChecking=yes, a known_hosts file of its own under
# $HANGAR_HOME). Needs HANGAR_HOME and a shell function or command `hangar` (the CLI of that server).
# Exits the script (status 1) when no ssh succeeds within LIMIT_SECONDS (default 1800).
wait_workspace_ssh() {
  local ws=$1 key=$2 deadline=$((SECONDS + ${3:-1800})) json id user host_key port
  json=$(hangar show "$ws" -o json)
  id=$(sed -n 's/^ *"id" *: *"\([^"]*\)".*/\1/p' <<<"$json" | head -n 1)
  user=$(sed -n 's/^ *"owner" *: *"\([^"]*\)".*/\1/p' <<<"$json" | head -n 1)
  host_key=$(sed -n 's/^ *"hostKey" *: *"\([^"]*\)".*/\1/p' <<<"$json" | head -n 1)
  port=$(cat "$HANGAR_HOME/providers/qemu/workspaces/$id/ssh-port")
  echo "[127.0.0.1]:$port $host_key" >"$HANGAR_HOME/known_hosts.$ws"
  until ssh -q -F /dev/null -i "$key" -o IdentitiesOnly=yes -p "$port" \
      -o UserKnownHostsFile="$HANGAR_HOME/known_hosts.$ws" -o StrictHostKeyChecking=yes -o BatchMode=yes \
      -o ConnectTimeout=5 "$user@127.0.0.1" true 2>/dev/null; do
    ((SECONDS < deadline)) || { echo "timeout waiting for ssh to $ws" >&2; exit 1; }
    sleep 0.5
  done
}
