# Sourced by the scripts in bin/: locates Java 25 and the built jar. The scripts source it from
# their resolved location (readlink -f), so they work through symlinks and from any directory.
# Two layouts: a source checkout (JSANLOCK_HOME = the checkout: dist/target/jsanlock.jar, a
# system JDK 25) and the installed package (JSANLOCK_HOME = /usr/lib/jsanlock: jars/jsanlock.jar
# and the package's own trimmed runtime in runtime/, so the host needs no Java).
# One readlink and parameter expansion rather than dirname/cd/pwd subshells: this runs before every
# command, and each fork costs about a millisecond.
JSANLOCK_HOME="$(readlink -f "${BASH_SOURCE[0]}")"
JSANLOCK_HOME="${JSANLOCK_HOME%/*/*}"
export JSANLOCK_HOME
# Whether $1 is a Java 25+ home. Read from its release file (JAVA_VERSION="25.0.3"), in bash alone:
# asking `java -version` starts a JVM, ~70 ms added to every command run with JAVA_HOME set.
jsanlock_java_home_is_25() {
	local line major
	[ -x "$1/bin/java" ] || return 1
	if [ -r "$1/release" ]; then
		while IFS= read -r line; do
			case "$line" in
			JAVA_VERSION=\"*)
				major="${line#JAVA_VERSION=\"}"
				major="${major%%[.\"]*}"
				[[ "$major" =~ ^[0-9]+$ ]] && [ "$major" -ge 25 ]
				return
				;;
			esac
		done <"$1/release"
	fi
	"$1/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'
}
if [ -x "$JSANLOCK_HOME/runtime/bin/java" ] && [ -f "$JSANLOCK_HOME/jars/jsanlock.jar" ]; then
	JAVA_HOME="$JSANLOCK_HOME/runtime"
elif [ -z "${JAVA_HOME:-}" ] || ! jsanlock_java_home_is_25 "$JAVA_HOME"; then
	for j in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk* /usr/lib/jvm/java-25*; do
		[ -x "$j/bin/java" ] && { JAVA_HOME="$j"; break; }
	done
fi
export JAVA_HOME
JSANLOCK_JAR="$JSANLOCK_HOME/dist/target/jsanlock.jar"
[ -f "$JSANLOCK_HOME/jars/jsanlock.jar" ] && JSANLOCK_JAR="$JSANLOCK_HOME/jars/jsanlock.jar"
jsanlock_require_jar() {
	if [ ! -f "$JSANLOCK_JAR" ]; then
		echo "jsanlock is not built: run bin/build (mvn -DskipTests package) first" >&2
		exit 1
	fi
}

# JVM flags of the lease daemon (`jsanlock daemon`), chosen for a small resident set: the daemon
# runs for the life of the host beside the VMs it protects, and is I/O-bound (a ballot is a few
# O_DIRECT I/Os and a scan of 2000 dblocks), so peak compiled-code speed buys little. Measured
# with bin/bench (idle, one lockspace joined): 74 MiB with the CLI's flags below, ~50 MiB with these.
#   SerialGC                  one GC thread, smallest GC data structures
#   TieredStopAtLevel=1       C1 only: no C2 compiler threads and arenas (tens of MiB transiently)
#   CICompilerCount=1         one compiler thread
#   -Xms4m -Xmx64m            small heap; 64 MiB still leaves room for 32 concurrent ballots
#                             (1 MiB area buffer each) and thousands of held leases
#   ReservedCodeCacheSize=16m bounds the code cache (C1 code for the daemon needs ~3 MiB)
#   TrimNativeHeapInterval    returns malloc memory freed after bursts to the OS every second
#   UseCompactObjectHeaders   8-byte object headers (JEP 519): smaller heap for the same objects
#   -Xshare:off               the JDK's CDS archive is relocated at start (ASLR), which dirties
#                             ~11 MiB of its pages; without it the daemon's RSS is ~3 MiB lower
#                             at the cost of ~0.2 s of start-up
JSANLOCK_DAEMON_JVM_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Xms4m -Xmx64m \
-XX:ReservedCodeCacheSize=16m -XX:TrimNativeHeapInterval=1000 -XX:+UseCompactObjectHeaders -Xshare:off"
