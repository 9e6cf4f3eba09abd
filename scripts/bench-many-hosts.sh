#!/usr/bin/env bash
# Benchmark: many Servers at once (docs/benchmarks.md, "Many hosts"). N pooled SSH connections, one per host id,
# spread over the test bed's hosts (each its own connection to that host's sshd, as N Servers would have), a Docker
# call through each, an idle time spanning several keep-alive periods, and a Docker call through each again.
#
#   scripts/bench-many-hosts.sh [N=200] [PARALLELISM=16] [IDLE_SECONDS=65]
#
# BENCH_JAVA_OPTS adds JVM options (default -XX:MaxRAM=768m, as in the chart's pod). Brings the test bed up (2 hosts)
# when it is down and takes it down again at the end; a bed that was up is left up. Markdown goes to stdout.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-200}
PARALLELISM=${2:-16}
IDLE=${3:-65}
JAVA_OPTS=${BENCH_JAVA_OPTS:--XX:MaxRAM=768m}
ENV_FILE="$REPO/target/testbed/testbed.env"

source "$REPO/scripts/lib/bench-java.sh"
bench_bed bench-many-hosts
cd "$REPO"
bench_java_setup "$BENCH_WORK"
# shellcheck disable=SC2086
BERTH_TESTBED_ENV=$ENV_FILE java $JAVA_OPTS -Dlogback.configurationFile="$BENCH_WORK/logback.xml" -cp "$BENCH_CP" \
  dev.berth.controller.bench.ManyHostsBenchmark "$N" "$PARALLELISM" "$IDLE"
