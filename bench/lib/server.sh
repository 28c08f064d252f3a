# Sourced by bench scripts: a Hangar server of their own, on a free loopback port.
#
# free_port: prints a TCP port on 127.0.0.1 that was free a moment ago.
#
# start_server LAUNCHER HOME LISTEN [SERVER_ARGS...]: starts `LAUNCHER server --home HOME --listen
# LISTEN SERVER_ARGS...` in a session of its own (setsid, stdin closed), appending to
# HOME/logs/server.log, its pid in HOME/server.pid, and returns once http://LISTEN/readyz answers
# 2xx. Exits the script (status 1, the server's log on stderr) when the server ends first or is not
# ready within BENCH_SERVER_WAIT seconds (default 300). Stopping it is the caller's cleanup (by the
# pid file, or `hangar down`).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_server() {
  local launcher=$1 home=$2 listen=$3 deadline=$((SECONDS + ${BENCH_SERVER_WAIT:-300}))
  shift 3
  mkdir -p "$home/logs"
  setsid "$launcher" server --home "$home" --listen "$listen" "$@" \
    >>"$home/logs/server.log" 2>&1 </dev/null &
  echo $! >"$home/server.pid"
  until curl -fsS "http://$listen/readyz" >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$home/server.pid")" 2>/dev/null; then
      echo "the Hangar server ended before it was ready; its log ($home/logs/server.log):" >&2
      cat "$home/logs/server.log" >&2
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "the Hangar server was not ready within ${BENCH_SERVER_WAIT:-300} s (BENCH_SERVER_WAIT);" \
        "its log ($home/logs/server.log):" >&2
      cat "$home/logs/server.log" >&2
      exit 1
    fi
    sleep 0.5
  done
}
