#!/usr/bin/env bash
# Profiles the jsanlock daemon under ../shared/bench/bench_seq.py (python3-sanlock, one
# client, sequential acquire+release) and prints what one acquire+release costs it:
# wall time, daemon CPU time, context switches (wake-ups) of its threads, and the JFR
# execution samples grouped by what the code does (socket, decode, engine, I/O, ...).
#   bench/scripts/profile-seq.sh [file|loop] [CYCLES]     (root: loop devices)
# Env: JSANLOCK_IO_AIO=off profiles the worker-thread I/O path; REFERENCE=1 measures the
# reference daemon instead (same figures, no JFR). Leaves the .jfr in $OUT.
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
. "$here/bin/env.sh"
kind="${1:-file}"; cycles="${2:-3000}"
shared="$here/../shared"; [ -d "$shared/bench" ] || shared=/work/shared
OUT="${OUT:-$(mktemp -d /tmp/jsanlock-profile.XXXXXX)}"
mkdir -p "$OUT/run"
if [ "$kind" = loop ]; then truncate -s 110M "$OUT/back.img"; dev=$(losetup -f --show "$OUT/back.img"); else dev="$OUT/leases.img"; truncate -s 110M "$dev"; fi
cleanup() {
	SANLOCK_RUN_DIR="$OUT/run" sanlock client shutdown -f 1 >/dev/null 2>&1 || true
	[ -n "${pid:-}" ] && { for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; kill -9 "$pid" 2>/dev/null || true; }
	[ "$kind" = loop ] && losetup -d "$dev"
	return 0
}
trap cleanup EXIT
sanlock direct init -s "bench:0:$dev:0" -o 1 >/dev/null
for i in $(seq 0 99); do sanlock direct init -r "bench:r$i:$dev:$(( (i+1)*1048576 ))" >/dev/null; done
# Java code sampled every millisecond (the profile settings sample every 10-20 ms: too few
# samples at ~0.2 ms of Java per cycle).
"$JAVA_HOME/bin/jfr" configure --input profile method-profiling=max --output "$OUT/settings.jfc" >/dev/null
if [ -n "${REFERENCE:-}" ]; then
	pid=$("$shared/peer/start-daemon.sh" "$OUT/run" profhost)
else
	SANLOCK_RUN_DIR="$OUT/run" JSANLOCK_JAVA_OPTS="-XX:StartFlightRecording=filename=$OUT/daemon.jfr,settings=$OUT/settings.jfc,dumponexit=true" \
		"$here/bin/jsanlock" daemon -D -w 0 -e profhost >"$OUT/daemon.log" 2>&1 &
	pid=$!
fi
for _ in $(seq 200); do [ -S "$OUT/run/sanlock.sock" ] && break; sleep 0.05; done
SANLOCK_RUN_DIR="$OUT/run" sanlock client add_lockspace -s "bench:1:$dev:0" -o 1 >/dev/null
SANLOCK_RUN_DIR="$OUT/run" /usr/bin/python3 "$shared/bench/bench_seq.py" "$dev" 100 5 >/dev/null # warm-up
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
sys() { awk '{print $15}' "/proc/$pid/stat"; }
csw() { cat /proc/$pid/task/*/status 2>/dev/null | awk '/^(voluntary|nonvoluntary)_ctxt_switches/ {s += $2} END {print s}'; }
threads() { ls /proc/$pid/task | wc -l; }
c0=$(cpu); k0=$(sys); s0=$(csw); t0=$(date +%s.%N)
SANLOCK_RUN_DIR="$OUT/run" /usr/bin/python3 "$shared/bench/bench_seq.py" "$dev" 100 $(( cycles / 100 )) | tee "$OUT/seq.txt"
t1=$(date +%s.%N); c1=$(cpu); k1=$(sys); s1=$(csw)
hz=$(getconf CLK_TCK)
floor=$(/usr/bin/python3 "$shared/bench/iofloor.py" "$dev" 300)
echo "load $(cut -d' ' -f1-3 /proc/loadavg); daemon threads $(threads)"
awk -v c="$cycles" -v w="$(echo "$t1 - $t0" | bc)" -v cpu=$((c1 - c0)) -v kern=$((k1 - k0)) -v hz="$hz" -v cs=$((s1 - s0)) -v fl="$floor" 'BEGIN {
	printf "per acquire+release: wall %.3f ms, I/O floor %.3f ms (iofloor.py %d/s), daemon CPU %.3f ms (of which kernel %.3f ms), daemon context switches %.1f\n",
		w * 1000 / c, 1000 / fl, fl, cpu * 1000 / hz / c, kern * 1000 / hz / c, cs / c }'
cleanup; trap - EXIT; pid=
[ -n "${REFERENCE:-}" ] && exit 0
"$JAVA_HOME/bin/jfr" print --stack-depth 64 --events jdk.ExecutionSample "$OUT/daemon.jfr" > "$OUT/samples.txt"
"$JAVA_HOME/bin/java" "$here/bench/scripts/JfrBreakdown.java" "$OUT/samples.txt"
echo "recording: $OUT/daemon.jfr"
