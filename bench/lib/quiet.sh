# Sourced by bench scripts. wait_for_quiet [MAX_LOAD] [MAX_SECONDS]: waits until the 1-minute load
# average is below MAX_LOAD (default $BENCH_MAX_LOAD or 3), at most MAX_SECONDS (default
# $BENCH_QUIET_WAIT or 600), then prints the load it starts with, so every figure carries the load
# it was taken under. It never refuses to run: on a busy shared machine it starts anyway and says so.
wait_for_quiet() {
  local max=${1:-${BENCH_MAX_LOAD:-3}} wait=${2:-${BENCH_QUIET_WAIT:-600}} start=$SECONDS load
  while :; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    if awk -v l="$load" -v m="$max" 'BEGIN { exit !(l < m) }'; then
      echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at start (below $max after $((SECONDS - start)) s)"
      return 0
    fi
    if ((SECONDS - start >= wait)); then
      echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at start: NOT below $max after ${wait} s; running anyway"
      return 0
    fi
    sleep 5
  done
}
