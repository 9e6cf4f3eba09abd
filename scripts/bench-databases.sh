#!/usr/bin/env bash
# Benchmark (issue 10): StandaloneDatabase time to Ready (docs/benchmarks.md, "StandaloneDatabase: time to Ready").
# The whole Berth operator in-process on the test bed (in-process API server, embedded PostgreSQL mirror, the bed's
# Redis, real SSH + dockerd), in one JVM (DatabaseReadyBenchmark):
#   1. per engine whose image is on the bed, R repetitions: create the StandaloneDatabase → Ready=True seen by an
#      informer, against the floor measured in the same run (the same container on a fresh volume, created and started
#      by docker-java on the host's local socket, polled with the same readiness check every 100 ms);
#   2. the status lag in each of those runs: a client's first authenticated answer → the Ready=True event;
#   3. M Redis databases at once over the bed's 2 hosts: time to all Ready, RSS of the JVM, SSH connections per host.
#
#   scripts/bench-databases.sh [R [M [ENGINE ...]]]     default: 3 50, every engine (R 0: only part 3; M 0: no part 3)
#   ENGINE: postgres-15 mysql-9 mariadb-10 redis-7 valkey-9 clickhouse-18
#
# Load the images first: scripts/testbed.sh images postgres15 redis7 valkey9 mysql9 mariadb10 clickhouse18 (an engine
# whose image is missing is reported as skipped). BENCH_JAVA_OPTS (default -XX:MaxRAM=768m: the JVM sizes itself as in
# the chart's pod, whose memory limit is 768Mi). Brings the test bed up (2 hosts) when it is down and takes it down
# again at the end; a bed that was up is left up. Markdown goes to stdout.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
REPS=${1:-3}
MANY=${2:-50}
shift $(( $# < 2 ? $# : 2 ))
ENGINES=("$@")
JAVA_OPTS=${BENCH_JAVA_OPTS:--XX:MaxRAM=768m}
ENV_FILE="$REPO/target/testbed/testbed.env"

source "$REPO/scripts/lib/bench-java.sh"
bench_bed bench-databases
WORK=$BENCH_WORK
[[ $(sed -n 's/^TESTBED_HOSTS=//p' "$ENV_FILE") -ge 2 ]] || { echo "bench-databases: the bed has fewer than 2 hosts" >&2; exit 1; }
cd "$REPO"
bench_java_setup "$WORK"

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench-databases: R=$REPS M=$MANY (load average $LOAD_BEFORE)" >&2
STATUS=0
# shellcheck disable=SC2086
OUT=$(BERTH_TESTBED_ENV=$ENV_FILE java $JAVA_OPTS -Dlogback.configurationFile="$WORK/logback.xml" -cp "$BENCH_CP" \
  dev.berth.controller.bench.DatabaseReadyBenchmark "$REPS" "$MANY" "$WORK/data" "${ENGINES[@]}") || STATUS=$?
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

echo "Command: scripts/bench-databases.sh $REPS $MANY ${ENGINES[*]} (BENCH_JAVA_OPTS=$JAVA_OPTS)"
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: nproc $(nproc), $(free -g | awk '/^Mem:/{print $2}') GiB RAM (free -g), kernel $(uname -r), $(java -version 2>&1 | head -1); load average before $LOAD_BEFORE, after $LOAD_AFTER"
echo
echo "$OUT"
[[ $STATUS -eq 0 ]] || echo "bench-databases: the benchmark failed (exit $STATUS, see stderr)" >&2
exit "$STATUS"
