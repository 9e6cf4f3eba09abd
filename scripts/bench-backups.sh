#!/usr/bin/env bash
# Benchmark (issue 11): ScheduledBackup, streamed backup and restore (docs/benchmarks.md, "ScheduledBackup: streamed
# backup and restore"). One JVM (BackupBenchmark) on the test bed's host 1, with berth-test/postgres:15: a database of
# at least SIZE MiB and one a quarter of that, made with SQL; for each, Berth's BackupRun (pg_dump --format=custom in
# the container, streamed over SSH through this JVM to s3proxy by multipart upload) against the floor (the same
# pg_dump to /dev/null inside the container) and the older tool's way (dump to a file on the host, then upload it with
# a separate S3 client); this JVM's RSS growth and the bytes written to disk during Berth's run; then RestoreRun from
# S3 into a fresh database against pg_restore from a file inside the container. s3proxy runs as a process of its own.
#
#   scripts/bench-backups.sh [SIZE_MIB]          default 1024 (the second database is SIZE_MIB/4)
#   scripts/bench-backups.sh SIZE_MIB ROUNDS     only the SIZE_MIB database: ROUNDS rounds of the floor and three
#                                                backups on the same data (Berth's S3 client, the SDK's aws-chunked
#                                                bodies, bytes discarded), the order alternating; medians
#
# Takes disk: about 3.5 x SIZE_MIB while it runs (the database, one restored copy, the dumps in s3proxy, the older
# way's file); everything (containers, volumes, s3proxy's directory) is removed at the end. Loads the postgres15 image
# onto the bed. BENCH_JAVA_OPTS (default -XX:MaxRAM=768m: the JVM sizes itself as in the chart's pod, whose memory
# limit is 768Mi). Brings the test bed up (2 hosts) when it is down and takes it down again at the end; a bed that
# was up is left up. BENCH_S3_TLS (default 1): s3proxy over HTTPS, as S3 endpoints are; 0: plain HTTP. Markdown goes
# to stdout. Not part of CI (.ci/run does not call it).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SIZE=${1:-1024}
ROUNDS=${2:-}
JAVA_OPTS=${BENCH_JAVA_OPTS:--XX:MaxRAM=768m}
ENV_FILE="$REPO/target/testbed/testbed.env"

source "$REPO/scripts/lib/bench-java.sh"
bench_bed bench-backups
WORK=$BENCH_WORK
cd "$REPO"
"$REPO/scripts/testbed.sh" images postgres15 >&2
bench_java_setup "$WORK"
mkdir -p "$WORK/jvm-tmp"
TLS_OPTS=()
if [[ ${BENCH_S3_TLS:-1} == 1 ]]; then
  # s3proxy serves HTTPS only, with a key made here (trusted by this run's JVMs only): the form a real S3 endpoint
  # has. Over HTTPS the SDK sends bodies unsigned and s3proxy streams them to disk; over plain HTTP (BENCH_S3_TLS=0)
  # each part is signed with its sha256, which s3proxy checks by first reading the whole part into memory.
  keytool -genkeypair -alias s3proxy -keyalg EC -groupname secp256r1 -dname CN=127.0.0.1 -ext san=ip:127.0.0.1 \
    -validity 2 -storetype PKCS12 -keystore "$WORK/s3proxy.p12" -storepass bench-only -keypass bench-only >&2 2>/dev/null
  keytool -exportcert -rfc -alias s3proxy -keystore "$WORK/s3proxy.p12" -storepass bench-only >"$WORK/s3proxy.pem"
  keytool -importcert -noprompt -alias s3proxy -file "$WORK/s3proxy.pem" -storetype PKCS12 \
    -keystore "$WORK/trust.p12" -storepass bench-only >&2 2>/dev/null
  TLS_OPTS=(-Djavax.net.ssl.trustStore="$WORK/trust.p12" -Djavax.net.ssl.trustStorePassword=bench-only
    -Dbench.s3.keystore="$WORK/s3proxy.p12")
fi

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench-backups: SIZE=$SIZE MiB (load average $LOAD_BEFORE)" >&2
STATUS=0
# shellcheck disable=SC2086
OUT=$(BERTH_TESTBED_ENV=$ENV_FILE java $JAVA_OPTS "${TLS_OPTS[@]}" -Djava.io.tmpdir="$WORK/jvm-tmp" \
  -Dlogback.configurationFile="$WORK/logback.xml" -cp "$BENCH_CP" \
  dev.berth.controller.bench.BackupBenchmark "$SIZE" "$WORK" $ROUNDS) || STATUS=$?
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

echo "Command: scripts/bench-backups.sh $SIZE${ROUNDS:+ $ROUNDS} (BENCH_JAVA_OPTS=$JAVA_OPTS, BENCH_S3_TLS=${BENCH_S3_TLS:-1}: s3proxy over $([[ ${BENCH_S3_TLS:-1} == 1 ]] && echo HTTPS || echo plain HTTP))"
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: nproc $(nproc), $(free -g | awk '/^Mem:/{print $2}') GiB RAM (free -g), kernel $(uname -r), $(java -version 2>&1 | head -1); load average before $LOAD_BEFORE, after $LOAD_AFTER"
echo
echo "$OUT"
[[ $STATUS -eq 0 ]] || echo "bench-backups: the benchmark failed (exit $STATUS, see stderr)" >&2
exit "$STATUS"
