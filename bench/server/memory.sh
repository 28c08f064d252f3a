#!/usr/bin/env bash
# Benchmark (reported, not asserted; issue #18): the real server process's resident memory (VmRSS,
# VmHWM) with N workspaces in its SQLite store against the same server with an empty store, for a
# few sets of JVM options (the JVM's defaults, G1 bounded, what bin/hangar gives the server).
#
#   bench/server/memory.sh [workspaces=1000]
#
# Runs hangar-testing's ServerMemoryBench through the Maven profile `bench`, offline. The servers
# run the test-only `proc` provider (files, no VM), so nothing but the JVM is measured.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
JAVA_HOME=$("$ROOT/bin/find-jdk" 25)
export JAVA_HOME
# -am: the reactor builds the modules hangar-testing needs (~/.m2 holds no hangar snapshots, so
# without it the bench would not resolve, or would run stale code); their tests are skipped by -Dtest=none.
./mvnw -o -q -B -pl hangar-testing -am -Pbench test -Dtest=none \
  -Dsurefire.failIfNoSpecifiedTests=false -Dbench.class=ServerMemoryBench -Dbench.args="$*" \
  | grep -E 'RSS|load average'
