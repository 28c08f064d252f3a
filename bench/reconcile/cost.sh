#!/usr/bin/env bash
# Benchmark (reported, not asserted): CPU and wall time of one reconcile pass over 200 converged
# workspaces (what every resync does), with the test-only fake provider, against the same pass over
# an empty store (the baseline) in the same run; 1 thread and 8 virtual threads.
#
#   bench/reconcile/cost.sh [workspaces=200] [rounds=10] [warmup=5] [threads=8]
#
# Runs hangar-testing's ReconcileCostBench through the Maven profile `bench`, offline, after waiting
# (at most 10 min) for the load average to drop below 3 (bench/lib/quiet.sh). GET /api/v1/workspaces
# with 200 workspaces: bench/api/latency.sh (its default is 200 workspaces).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$ROOT/bench/lib/quiet.sh"
cd "$ROOT"
export JAVA_HOME=$("$ROOT/bin/find-jdk" 25)
./mvnw -o -q -B -pl hangar-testing -am test-compile
wait_for_quiet
./mvnw -o -q -B -pl hangar-testing -am -Pbench test -Dtest=none \
  -Dsurefire.failIfNoSpecifiedTests=false -Dbench.class=ReconcileCostBench -Dbench.args="$*"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
