#!/usr/bin/env bash
# Benchmark (reported, not asserted): how fast CLI commands start through the real launcher, the
# previous bin/hangar against the current one, in the same run, so both see the same machine load.
#
#   bench/cli/start.sh [RUNS]        (default 20 runs per command and variant)
#
# Environment:
#   BEFORE_REV   the git revision whose bin/hangar is "before" (default 22de1a1, main before the
#                second round of #18 item 3; 12964c5 is the launcher before the first round: whole
#                distribution on the class path, AOT cache of linked classes)
#   BEFORE_LIB   the distribution (hangar-dist/target/lib) of that revision's build, e.g. a copy
#                kept before rebuilding (default: this tree's, so only the launcher differs and the
#                CLI's own start-up changes count for both; the figures say which)
#
# Starts a Hangar server on a temporary HANGAR_HOME (free loopback ports, QEMU replaced by
# /bin/false, an image catalog whose only image cannot be downloaded) and creates 5 workspaces,
# which fail to provision and stay listed (phase Failed): `list` prints a table of 5 rows. Then runs
# `hangar --help`, `hangar list`, `hangar template list` and a write command, `hangar start bench-1`
# (a POST; the server accepts it, 202, and the workspace fails to provision again), RUNS times each
# in three variants, alternating their order round by round:
#   before       BEFORE_REV's bin/hangar over BEFORE_LIB
#   now          this tree's bin/hangar
#   now-no-aot   this tree's bin/hangar with HANGAR_AOT=off (what the cache itself gives)
# Each variant has its own cache directory (XDG_CACHE_HOME), filled before timing starts as the
# launcher's first run fills it (its background training waited for). Prints per command and
# variant the median, p90 and min wall time and the median CPU time (user + system), the ratios to
# `before`, and the load average before and after (2 cores shared: CPU time is the steadier figure).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runs=${1:-20}
before_rev=${BEFORE_REV:-22de1a1}
JDK=$("$ROOT/bin/find-jdk" 25)
LIB="$ROOT/hangar-dist/target/lib"
before_lib=$(readlink -f "${BEFORE_LIB:-$LIB}")
compgen -G "$LIB/hangar-cli-*.jar" >/dev/null || { echo "no distribution: run ./mvnw -DskipTests package first" >&2; exit 1; }
work=$(mktemp -d /tmp/hangar-cli-bench.XXXXXX)
HANGAR_HOME="$work/home"
mkdir -m 700 "$HANGAR_HOME"
export HANGAR_HOME
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export HANGAR_URL=http://127.0.0.1:$port
cleanup() {
  # `|| true`: wait returns the server's exit status (143 after SIGTERM), which under `set -e` ended
  # this trap before the rm below.
  if [[ -f "$work/server.pid" ]] && kill "$(cat "$work/server.pid")" 2>/dev/null; then
    wait "$(cat "$work/server.pid")" 2>/dev/null || true
  fi
  # The launchers' background training runs may still hold their caches: wait for them first.
  for l in "$work"/cache-*/hangar/cds/*.lock; do [[ -e "$l" ]] && flock "$l" true || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The previous launcher, run from a tree of its own whose distribution is BEFORE_LIB.
mkdir -p "$work/before/bin" "$work/before/hangar-dist/target"
git -C "$ROOT" show "$before_rev:bin/hangar" >"$work/before/bin/hangar"
chmod +x "$work/before/bin/"*
ln -s "$before_lib" "$work/before/hangar-dist/target/lib"

cat >"$work/catalog.yaml" <<'EOF'
images:
  - name: nowhere-1
    description: an image that cannot be downloaded (CLI start benchmark)
    url: http://127.0.0.1:9/nowhere.qcow2
    format: qcow2
    sha256: "0000000000000000000000000000000000000000000000000000000000000000"
EOF
"$JDK/bin/java" --enable-native-access=ALL-UNNAMED -cp "$LIB/*" dev.hangar.server.Main --home "$HANGAR_HOME" \
  --listen "127.0.0.1:$port" --set gateway.listen-port=0 --set providers.qemu.qemu-binary=/bin/false \
  --set providers.qemu.image-catalog="$work/catalog.yaml" >"$work/server.log" 2>&1 </dev/null &
echo $! >"$work/server.pid"
until curl -fsS "$HANGAR_URL/readyz" >/dev/null 2>&1; do
  kill -0 "$(cat "$work/server.pid")" || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done
for n in 1 2 3 4 5; do
  XDG_CACHE_HOME="$work/cache-setup" HANGAR_AOT=off "$ROOT/bin/hangar" create "bench-$n" --template debian-12 \
    --image nowhere-1 >/dev/null
done

# First runs: each launcher trains its cache in the background; wait for the training to end.
for v in before now; do
  launcher="$ROOT/bin/hangar"
  [[ $v == before ]] && launcher="$work/before/bin/hangar"
  XDG_CACHE_HOME="$work/cache-$v" "$launcher" list >/dev/null
  for _ in $(seq 600); do compgen -G "$work/cache-$v/hangar/cds/hangar-cli-*.aot" >/dev/null && break; sleep 0.5; done
  for l in "$work/cache-$v"/hangar/cds/*.lock; do flock "$l" true; done
  compgen -G "$work/cache-$v/hangar/cds/hangar-cli-*.aot" >/dev/null || { echo "$v: no AOT cache was written" >&2; exit 1; }
done

python3 - "$runs" "$ROOT/bin/hangar" "$work/before/bin/hangar" "$work" "$before_rev" "$before_lib" "$LIB" <<'PY'
import os, resource, statistics, subprocess, sys, time
runs, now, before, work, rev, before_lib, lib = int(sys.argv[1]), *sys.argv[2:]
variants = {
    "before": (before, {"XDG_CACHE_HOME": work + "/cache-before"}),
    "now": (now, {"XDG_CACHE_HOME": work + "/cache-now"}),
    "now-no-aot": (now, {"XDG_CACHE_HOME": work + "/cache-now", "HANGAR_AOT": "off"}),
}
commands = {"--help": ["--help"], "list": ["list"], "template list": ["template", "list"],
            "start": ["start", "bench-1"]}
load_before = os.getloadavg()
wall = {(c, v): [] for c in commands for v in variants}
cpu = {(c, v): [] for c in commands for v in variants}
order = list(variants)
for i in range(runs):
    for c, args in commands.items():
        for v in (order if i % 2 == 0 else order[::-1]):
            launcher, extra = variants[v]
            env = dict(os.environ, **extra)
            b = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.monotonic()
            r = subprocess.run([launcher] + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            wall[(c, v)].append(time.monotonic() - t)
            a = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[(c, v)].append(a.ru_utime - b.ru_utime + a.ru_stime - b.ru_stime)
            if r.returncode != 0 or r.stderr:
                sys.exit(f"{v} {c}: exit {r.returncode}, stderr: {r.stderr.decode()[-500:]}")
            if c == "list" and r.stdout.decode().count("bench-") != 5:
                sys.exit(f"{v} list: expected 5 workspaces, got:\n{r.stdout.decode()}")
def p(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]
print(f"before: bin/hangar of {rev} over {before_lib}" + (" (this tree's distribution)" if before_lib == lib else ""))
print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}; {runs} runs each, order alternating")
print(f"{'command':14} {'variant':10} {'median s':>9} {'p90 s':>7} {'min s':>7} {'cpu s':>7} {'median/before':>14} {'cpu/before':>11}")
for c in commands:
    bw, bc = statistics.median(wall[(c, "before")]), statistics.median(cpu[(c, "before")])
    for v in variants:
        w, u = statistics.median(wall[(c, v)]), statistics.median(cpu[(c, v)])
        print(f"{c:14} {v:10} {w:9.3f} {p(wall[(c, v)], 0.9):7.3f} {min(wall[(c, v)]):7.3f} {u:7.3f} {w / bw:14.2f} {u / bc:11.2f}")
print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
PY
