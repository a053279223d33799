#!/usr/bin/env bash
# Profiles the jsanlock daemon under ../shared/bench/bench_seq.py (python3-sanlock, one
# client, sequential acquire+release) and prints what one acquire+release costs it:
# wall time, daemon CPU time, context switches (wake-ups) of its threads, and the JFR
# execution samples grouped by what the code does (socket, decode, engine, I/O, ...).
#   bench/scripts/profile-seq.sh [file|loop] [CYCLES]     (root: loop devices)
# Env: JSANLOCK_IO_AIO=off profiles the worker-thread I/O path; REFERENCE=1 measures the
# reference daemon instead (same figures, no JFR). Leaves the .jfr in $OUT.
set -euo pipefail
kind="${1:-file}"; cycles="${2:-3000}"
. "$(dirname "$0")/profile-daemon.sh"
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
profile_breakdown
