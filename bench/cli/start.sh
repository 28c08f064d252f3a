#!/usr/bin/env bash
# Benchmark (reported, not asserted): how fast CLI commands start, in the same run for each way of
# starting the JVM, so all see the same machine load.
#
#   bench/cli/start.sh [RUNS]        (default 20 runs per command and variant)
#
# Starts a Hangar server on a temporary HANGAR_HOME (free loopback ports, nothing created), then
# runs `hangar --help`, `hangar list` and `hangar template list` RUNS times each in three variants,
# interleaved round by round:
#   plain    java -cp lib/* dev.hangar.cli.Main (the JDK's own CDS archive only, full JIT)
#   appcds   what bin/hangar did before the AOT cache: a dynamic AppCDS archive
#            (-XX:+AutoCreateSharedArchive, created by the first run, untimed) and C1 only
#   aot      what bin/hangar does now: the JDK 25 AOT cache written by dev.hangar.cli.AotTraining
#            (created first, untimed) and C1 only
# and prints per command and variant the median, p90 and min wall time and the median CPU time
# (user + system), with the ratios to `plain`. CPU time is the steadier figure on a loaded machine.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runs=${1:-20}
JDK=$("$ROOT/bin/find-jdk" 25)
LIB="$ROOT/hangar-dist/target/lib"
compgen -G "$LIB/hangar-cli-*.jar" >/dev/null || { echo "no distribution: run ./mvnw -DskipTests package first" >&2; exit 1; }
work=$(mktemp -d /tmp/hangar-cli-bench.XXXXXX)
HANGAR_HOME="$work/home"
mkdir -m 700 "$HANGAR_HOME"
export HANGAR_HOME
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export HANGAR_URL=http://127.0.0.1:$port
cleanup() {
  [[ -f "$work/server.pid" ]] && kill "$(cat "$work/server.pid")" 2>/dev/null && wait "$(cat "$work/server.pid")" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
"$JDK/bin/java" --enable-native-access=ALL-UNNAMED -cp "$LIB/*" dev.hangar.server.Main --home "$HANGAR_HOME" \
  --listen "127.0.0.1:$port" --set gateway.listen-port=0 >"$work/server.log" 2>&1 </dev/null &
echo $! >"$work/server.pid"
until curl -fsS "$HANGAR_URL/readyz" >/dev/null 2>&1; do
  kill -0 "$(cat "$work/server.pid")" || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done

common=(--enable-native-access=ALL-UNNAMED -cp "$LIB/*")
c1=(-XX:TieredStopAtLevel=1 -Xlog:aot=off -Xlog:cds=off)
jsa="$work/cli.jsa" aot="$work/cli.aot"
appcds=("${c1[@]}" -XX:SharedArchiveFile="$jsa" -XX:+AutoCreateSharedArchive -Xlog:cds+dynamic=off)
# The archives are made before timing starts, as bin/hangar's first run makes them.
"$JDK/bin/java" "${appcds[@]}" "${common[@]}" dev.hangar.cli.Main list >/dev/null 2>&1
"$JDK/bin/java" "${c1[@]}" -XX:AOTMode=record -XX:AOTConfiguration="$aot.conf" "${common[@]}" \
  dev.hangar.cli.AotTraining >/dev/null 2>&1
"$JDK/bin/java" "${c1[@]}" -XX:AOTMode=create -XX:AOTConfiguration="$aot.conf" -XX:AOTCache="$aot" \
  "${common[@]}" >/dev/null 2>&1

python3 - "$runs" "$JDK/bin/java" "$jsa" "$aot" "$LIB" <<'PY'
import os, resource, statistics, subprocess, sys, time
runs, java, jsa, aot, lib = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
common = ["--enable-native-access=ALL-UNNAMED", "-cp", lib + "/*"]
c1 = ["-XX:TieredStopAtLevel=1", "-Xlog:aot=off", "-Xlog:cds=off"]
variants = {
    "plain": [],
    "appcds": c1 + ["-XX:SharedArchiveFile=" + jsa, "-XX:+AutoCreateSharedArchive", "-Xlog:cds+dynamic=off"],
    "aot": c1 + ["-XX:AOTCache=" + aot],
}
commands = {"--help": ["--help"], "list": ["list"], "template list": ["template", "list"]}
load_before = os.getloadavg()
wall = {(c, v): [] for c in commands for v in variants}
cpu = {(c, v): [] for c in commands for v in variants}
for _ in range(runs):
    for c, args in commands.items():
        for v, opts in variants.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.monotonic()
            r = subprocess.run([java] + opts + common + ["dev.hangar.cli.Main"] + args,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            wall[(c, v)].append(time.monotonic() - t)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[(c, v)].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            if r.returncode != 0:
                sys.exit(f"{v} {c} failed ({r.returncode}): {r.stderr.decode()[-500:]}")
def p(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]
print(f"load average before: {load_before}; {runs} runs each, interleaved")
print(f"{'command':14} {'variant':7} {'median s':>9} {'p90 s':>7} {'min s':>7} {'cpu s':>7} {'median/plain':>13} {'cpu/plain':>10}")
for c in commands:
    base_w = statistics.median(wall[(c, "plain")])
    base_c = statistics.median(cpu[(c, "plain")])
    for v in variants:
        w, u = statistics.median(wall[(c, v)]), statistics.median(cpu[(c, v)])
        print(f"{c:14} {v:7} {w:9.3f} {p(wall[(c, v)], 0.9):7.3f} {min(wall[(c, v)]):7.3f} {u:7.3f} {w / base_w:13.2f} {u / base_c:10.2f}")
print(f"load average after: {os.getloadavg()}")
PY
