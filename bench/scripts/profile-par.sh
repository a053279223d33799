#!/usr/bin/env bash
# Profiles a lease daemon under ../shared/bench/bench_par.py (python3-sanlock, 32 clients at
# once, each acquiring then releasing its slice of 100 resources) and prints what one
# acquire+release costs it: the daemon's user and kernel CPU, how busy the whole machine was,
# and, for jsanlock, the JFR execution samples grouped by what the code does.
#   bench/scripts/profile-par.sh [file|loop] [PASSES]     (root: loop devices)
# Env: REFERENCE=1 measures the reference daemon instead (same figures, no JFR). Leaves the .jfr
# in $OUT. Why it exists: with 32 clients on 2 CPUs both daemons are CPU-bound, so the CPU one
# acquire+release costs the daemon bounds its rate (docs/benchmarks.md).
set -euo pipefail
kind="${1:-file}"; passes="${2:-30}"
. "$(dirname "$0")/profile-daemon.sh"
for _ in 1 2 3 4 5; do SANLOCK_RUN_DIR="$OUT/run" /usr/bin/python3 "$shared/bench/bench_par.py" "$dev" 100 32 >/dev/null; done # warm-up
ticks() { awk '{print $14, $15}' "/proc/$pid/stat"; }
machine() { awk '/^cpu / {print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8}' /proc/stat; }
read -r u0 k0 <<<"$(ticks)"; read -r b0 t0 <<<"$(machine)"
for _ in $(seq "$passes"); do SANLOCK_RUN_DIR="$OUT/run" /usr/bin/python3 "$shared/bench/bench_par.py" "$dev" 100 32; done \
	| tee "$OUT/par.txt" | awk '{s += $7} END {printf "bench_par.py: %d passes, mean %.0f acquires/s\n", NR, s / NR}'
read -r u1 k1 <<<"$(ticks)"; read -r b1 t1 <<<"$(machine)"
hz=$(getconf CLK_TCK)
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v c=$((passes * 100)) -v u=$((u1 - u0)) -v k=$((k1 - k0)) -v hz="$hz" -v b=$((b1 - b0)) -v t=$((t1 - t0)) 'BEGIN {
	printf "per acquire+release: daemon CPU %.2f ms (user %.2f, kernel %.2f); machine busy %.0f%% of its CPUs, the daemon %.0f%% of that\n",
		(u + k) * 1000 / hz / c, u * 1000 / hz / c, k * 1000 / hz / c, 100 * b / t, 100 * (u + k) / b }'
cleanup; trap - EXIT; pid=
[ -n "${REFERENCE:-}" ] && exit 0
profile_breakdown
