# Sourced by the scripts in bin/: locates Java 25 and the built jar.
JSANLOCK_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then
	for j in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk* /usr/lib/jvm/java-25*; do
		[ -x "$j/bin/java" ] && { JAVA_HOME="$j"; break; }
	done
fi
export JAVA_HOME
JSANLOCK_JAR="$JSANLOCK_HOME/dist/target/jsanlock.jar"
jsanlock_require_jar() {
	if [ ! -f "$JSANLOCK_JAR" ]; then
		echo "jsanlock is not built: run bin/build (mvn -DskipTests package) first" >&2
		exit 1
	fi
}
