# Sourced by the benchmark scripts: how a benchmark main class is run.
#
#   bench_java_setup DIR   compiles the test classes (offline) and writes DIR/logback.xml (WARN and above, stderr);
#                          sets BENCH_CP, the benchmark's classpath (relative to the repository root, the cwd)

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
  mvn -B -q -o -pl controller test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$dir/classpath.txt" >&2
  BENCH_CP="controller/target/classes:controller/target/test-classes:$(cat "$dir/classpath.txt")"
}
