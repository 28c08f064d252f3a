# Sourced by bench scripts that run their own Hangar server (bench/lib/server.sh) with QEMU workspaces.
#
# wait_workspace_ssh WORKSPACE KEY [LIMIT_SECONDS]: returns at the first successful `ssh ... true` to
# WORKSPACE's forwarded sshd on 127.0.0.1 as its owner, with private key KEY and only the host key
# the server pinned for it (StrictHostKeyChecking=yes, a known_hosts file of its own under
# $HANGAR_HOME: known_hosts.WORKSPACE). Needs HANGAR_HOME and a shell function or command `hangar`
# (the CLI of that server). The workspace's id, owner and host key come from remember_workspace if
# it was called for WORKSPACE (a timed loop then pays no CLI start), else from `hangar show` at every
# call; the forwarded port is read from the provider's file at every call (a start may move it).
# Exits the script (status 1) when no ssh succeeds within LIMIT_SECONDS (default 1800).
#
# remember_workspace WORKSPACE ID OWNER HOST_KEY: what wait_workspace_ssh would ask `hangar show`
# for, e.g. from `hangar create -o json`'s own answer. forget_workspace WORKSPACE drops it (after a
# delete, before a workspace of the same name is created again).
declare -gA BENCH_WORKSPACES=()

remember_workspace() {
  BENCH_WORKSPACES[$1]="$2 $3 $4"
}

forget_workspace() {
  unset "BENCH_WORKSPACES[$1]"
}

wait_workspace_ssh() {
  local ws=$1 key=$2 deadline=$((SECONDS + ${3:-1800})) json id user host_key port
  if [[ -z "${BENCH_WORKSPACES[$ws]:-}" ]]; then
    json=$(hangar show "$ws" -o json)
    id=$(sed -n 's/^ *"id" *: *"\([^"]*\)".*/\1/p' <<<"$json" | head -n 1)
    user=$(sed -n 's/^ *"owner" *: *"\([^"]*\)".*/\1/p' <<<"$json" | head -n 1)
    host_key=$(sed -n 's/^ *"hostKey" *: *"\([^"]*\)".*/\1/p' <<<"$json" | head -n 1)
  else
    read -r id user host_key <<<"${BENCH_WORKSPACES[$ws]}"
  fi
  port=$(cat "$HANGAR_HOME/providers/qemu/workspaces/$id/ssh-port")
  echo "[127.0.0.1]:$port $host_key" >"$HANGAR_HOME/known_hosts.$ws"
  until ssh -q -F /dev/null -i "$key" -o IdentitiesOnly=yes -p "$port" \
      -o UserKnownHostsFile="$HANGAR_HOME/known_hosts.$ws" -o StrictHostKeyChecking=yes -o BatchMode=yes \
      -o ConnectTimeout=5 "$user@127.0.0.1" true 2>/dev/null; do
    ((SECONDS < deadline)) || { echo "timeout waiting for ssh to $ws" >&2; exit 1; }
    sleep 0.5
  done
}
