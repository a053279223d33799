# Sourced by profile-seq.sh and profile-par.sh (not run alone): a lease daemon under JFR (or the
# reference with REFERENCE=1) on a fresh lockspace "bench" with 100 resources, on a sparse file
# or a loop device ($kind), joined as host 1. Sets here, shared, OUT, dev, pid; cleanup on exit.
# profile_breakdown prints the JFR execution samples grouped by what the code does.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$here/bin/env.sh"
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

profile_breakdown() {
	"$JAVA_HOME/bin/jfr" print --stack-depth 64 --events jdk.ExecutionSample "$OUT/daemon.jfr" > "$OUT/samples.txt"
	"$JAVA_HOME/bin/java" "$here/bench/scripts/JfrBreakdown.java" "$OUT/samples.txt"
	echo "recording: $OUT/daemon.jfr"
}
