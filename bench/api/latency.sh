#!/usr/bin/env bash
# Benchmark (reported, not asserted): REST API latency, p50/p99 of GET /api/v1/workspaces and of
# create + delete through the API, with 1, 8 and 32 concurrent clients, against the real server on
# SQLite and on embedded PostgreSQL (zonky) in the same run, with the test-only fake provider;
# baseline: GET /healthz of the same server and client count.
#
#   bench/api/latency.sh [workspaces=200] [clients=1,8,32] [seconds=10] [warmup=3] [backends=sqlite,postgres]
#
# Runs hangar-testing's ApiLatencyBench (test classpath: the fake provider is never shipped) through
# the Maven profile `bench`, offline. Compiles first, then waits (at most 10 min) for the 1-minute
# load average to drop below 3 (BENCH_MAX_LOAD, BENCH_QUIET_WAIT: bench/lib/quiet.sh), and prints
# the load before and after.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$ROOT/bench/lib/quiet.sh"
cd "$ROOT"
JAVA_HOME=$("$ROOT/bin/find-jdk" 25) ./mvnw -o -q -B -pl hangar-testing -am test-compile
wait_for_quiet
JAVA_HOME=$("$ROOT/bin/find-jdk" 25) ./mvnw -o -q -B -pl hangar-testing -am -Pbench test -Dtest=none \
  -Dsurefire.failIfNoSpecifiedTests=false -Dbench.class=ApiLatencyBench -Dbench.args="$*"
echo "uptime after: $(uptime)"
