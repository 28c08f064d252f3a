#!/usr/bin/env bash
# Benchmark (reported, not asserted): the SSH gateway (MINA SSHD) against direct ssh to the same
# sshd (the baseline) and against an OpenSSH sshd as jump host, in the same run: connection setup
# (`ssh HOST true`), stream throughput (`ssh HOST 'head -c N /dev/zero' | wc -c` and the reverse)
# and, unless SCP_MIB=0, scp of a random file both ways; last, a 4 KiB ping-pong through `ssh HOST cat`
# (median and p99 round trip; -Dbench.pingpong.count, default 1000 per round). The "workspace" is a real OpenSSH sshd
# started by the test JVM on a free loopback port (hangar-test-fixtures' OpenSshd); no VM.
#
#   bench/gateway/throughput.sh [STREAM_MIB=512] [ROUNDS=3] [CONNECTS=20] [SCP_MIB=0]
#
# Runs hangar-gateway's GatewayBench with Surefire (offline), after waiting (at most 10 min) for the
# load average to drop below 3 (bench/lib/quiet.sh), and prints its output.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$ROOT/bench/lib/quiet.sh"
stream=${1:-512} rounds=${2:-3} connects=${3:-20} scp=${4:-0}
cd "$ROOT"
export JAVA_HOME=$("$ROOT/bin/find-jdk" 25)
./mvnw -o -q -B -pl hangar-gateway -am test-compile
wait_for_quiet
./mvnw -o -q -B -pl hangar-gateway -am test -Dtest=GatewayBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.stream.mib="$stream" -Dbench.stream.rounds="$rounds" -Dbench.connects="$connects" -Dbench.size.mib="$scp"
cat hangar-gateway/target/surefire-reports/dev.hangar.gateway.bench.GatewayBench-output.txt
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
