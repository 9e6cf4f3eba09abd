# Sourced by the benchmark scripts: how a benchmark main class is run.
#
#   bench_java_setup DIR   compiles the test classes (offline, else online) and writes DIR/logback.xml (WARN and
#                          above, stderr); sets BENCH_CP, the benchmark's classpath (relative to the repository root, the cwd)
#   bench_bed NAME         makes a work dir (BENCH_WORK) removed on exit, and brings the test bed up (2 hosts) when
#                          it is down — then it is taken down again on exit; a bed that was up is left up

bench_java_setup() {
  local dir=$1
  cat >"$dir/logback.xml" <<'XML'
<configuration>
  <appender name="err" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="err"/></root>
</configuration>
XML
  # With -am the API model comes from this checkout, not from a local repository that may not hold it. Offline
  # first (quick, and works with no network); a machine whose Maven repository lacks something fetches it once.
  local args=(-B -q -pl controller -am test-compile dependency:build-classpath -Dmdep.includeScope=test
    -Dmdep.outputFile="$dir/classpath.txt")
  if ! mvn -o "${args[@]}" >"$dir/mvn-offline.log" 2>&1; then
    echo "bench: the offline build failed ($(grep -m1 '^\[ERROR\]' "$dir/mvn-offline.log" | sed 's/^\(\[ERROR\] *\)*//' | cut -c1-200)); building online" >&2
    mvn -ntp "${args[@]}" >&2
  fi
  BENCH_CP="controller/target/classes:controller/target/test-classes:$(cat "$dir/classpath.txt")"
}

bench_bed() {
  local name=$1 testbed
  testbed="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/testbed.sh"
  BENCH_WORK=$(mktemp -d)
  BENCH_BED_STARTED=false
  BENCH_TESTBED=$testbed
  trap 'rm -rf "$BENCH_WORK"; if $BENCH_BED_STARTED; then "$BENCH_TESTBED" down >&2 || true; fi' EXIT
  if ! "$testbed" status >/dev/null 2>&1; then
    echo "$name: the test bed is down; bringing up 2 hosts (taken down again at the end)" >&2
    BENCH_BED_STARTED=true
    "$testbed" up 2 >&2
  fi
}
