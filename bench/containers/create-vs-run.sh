#!/usr/bin/env bash
# Benchmark (reported, not asserted): a container workspace from `hangar create --wait` to the first
# successful ssh command (through the gateway), against `docker run` of the same image to the first
# successful ssh command (straight to the published port), in the same run, on dockerd and on
# Podman's Docker-compatible service, each in a network namespace of its own (nothing pulled: the
# reference workspace rootfs is imported, untimed).
#
#   bench/containers/create-vs-run.sh [rounds=3] [engines=docker,podman] [poll=1000]
#
# Runs hangar-testing's ContainerStartBench (test classpath: it reuses the engine fixture and the
# container ITs' control plane) through the Maven profile `bench`, offline, under the machine-wide
# heavy lock (/work/heavy.lock when it exists). Needs root, docker.io, podman and the test rootfs
# (tools/k8s/workspace-image.sh, cached). Compiles first, then waits (at most 10 min) for the
# 1-minute load average to drop below 3 (BENCH_MAX_LOAD, BENCH_QUIET_WAIT: bench/lib/quiet.sh).
# poll= is the CLI's --wait polling interval in ms (the CLI's default is 1000).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$ROOT/bench/lib/quiet.sh"
cd "$ROOT"
JAVA_HOME=$("$ROOT/bin/find-jdk" 25) ./mvnw -o -q -B -pl hangar-testing -am test-compile
lock=()
[[ -e /work/heavy.lock ]] && lock=(flock /work/heavy.lock)
"${lock[@]}" bash -c '. bench/lib/quiet.sh; wait_for_quiet; JAVA_HOME=$(bin/find-jdk 25) ./mvnw -o -q -B -pl hangar-testing -am -Pbench test -Dtest=none \
  -Dsurefire.failIfNoSpecifiedTests=false -Dbench.class=ContainerStartBench -Dbench.args="$*"' bench "$@"
echo "uptime after: $(uptime)"
