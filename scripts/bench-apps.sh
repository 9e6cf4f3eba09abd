#!/usr/bin/env bash
# Benchmark (issue 4): cold start of N Applications over two test-bed hosts, three ways in one run
# (docs/benchmarks.md, "Application cold start"): the whole Berth operator in-process (mock API server, embedded
# PostgreSQL, the bed's Redis, real SSH + dockerd), the same containers by a sequential `docker run -d` with
# DOCKER_HOST=ssh://… (the Coolify-style baseline), and by docker-java on the hosts' local sockets in parallel
# (the floor, 8 at a time per host like Berth's default maxConcurrentOperations).
#
#   scripts/bench-apps.sh [N ...]          default: 50 200
#
# Each N runs in its own JVM (so heap and RSS are that N's), with BENCH_JAVA_OPTS (default -XX:MaxRAM=768m: the JVM
# sizes itself as in the chart's pod, whose memory limit is 768Mi). Brings the test bed up (2 hosts) when it is
# down and then takes it down again at the end; a bed that was up is left up. Containers are labelled
# berth-bench=cold-start and all removed between phases and at the end. Markdown goes to stdout.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SIZES=("$@")
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(50 200)
JAVA_OPTS=${BENCH_JAVA_OPTS:--XX:MaxRAM=768m}
ENV_FILE="$REPO/target/testbed/testbed.env"
die() { echo "bench-apps: $*" >&2; exit 1; }

source "$REPO/scripts/lib/bench-java.sh"
bench_bed bench-apps
WORK=$BENCH_WORK
val() { sed -n "s/^$1=//p" "$ENV_FILE"; }
[[ $(val TESTBED_HOSTS) -ge 2 ]] || die "the bed has fewer than 2 hosts: scripts/testbed.sh up 2"

# The CLI's ssh: the bed's key, and each host key pinned (scanned, then checked against the env file's fingerprint).
: >"$WORK/known_hosts"
for i in 1 2; do
  ADDRESS=$(val "TESTBED_HOST_${i}_ADDRESS")
  PORT=$(val "TESTBED_HOST_${i}_PORT")
  ssh-keyscan -p "$PORT" -t ed25519 "$ADDRESS" 2>/dev/null >"$WORK/scan"
  SCANNED=$(ssh-keygen -lf "$WORK/scan" | awk '{print $2}')
  [[ $SCANNED == "$(val "TESTBED_HOST_${i}_HOST_KEY_FINGERPRINT")" ]] || die "host $i: scanned key $SCANNED is not the bed's"
  cat "$WORK/scan" >>"$WORK/known_hosts"
done
mkdir -p "$WORK/cli"
cat >"$WORK/cli.config" <<EOF
Host *
  IdentityFile $(val TESTBED_HOST_1_KEY)
  IdentitiesOnly yes
  UserKnownHostsFile $WORK/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
  LogLevel ERROR
EOF
printf '#!/bin/sh\nexec /usr/bin/ssh -F %s "$@"\n' "$WORK/cli.config" >"$WORK/cli/ssh"
chmod +x "$WORK/cli/ssh"
cd "$REPO"
bench_java_setup "$WORK"

ROWS=()
PROFILES=()
LOADS=()
FAILED=false
for N in "${SIZES[@]}"; do
  echo "bench-apps: N=$N (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  LOADS+=("N=$N: load average before $(cut -d' ' -f1-3 /proc/loadavg)")
  # shellcheck disable=SC2086
  if ! OUT=$(BERTH_TESTBED_ENV=$ENV_FILE java $JAVA_OPTS -Dlogback.configurationFile="$WORK/logback.xml" -cp "$BENCH_CP" \
    dev.berth.controller.bench.ApplicationColdStartBenchmark "$N" "$WORK/cli" "$WORK/data-$N"); then
    echo "bench-apps: the benchmark failed for N=$N (see above)" >&2
    FAILED=true
    OUT="| $N | failed: see the run's stderr |"
  fi
  ROWS+=("$(head -1 <<<"$OUT")")
  LOADS[-1]+=", after $(cut -d' ' -f1-3 /proc/loadavg)"
  PROFILES+=("$(sed -n '/^PROFILE/,$p' <<<"$OUT")")
done

echo "Command: scripts/bench-apps.sh ${SIZES[*]} (BENCH_JAVA_OPTS=$JAVA_OPTS)"
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: nproc $(nproc), $(free -g | awk '/^Mem:/{print $2}') GiB RAM (free -g), kernel $(uname -r), $(java -version 2>&1 | head -1)"
echo
echo "| N | Berth: all Ready (s) | floor: local docker-java ×8/host (s, run 1 / run 2) | CLI over ssh://, sequential (s) | Berth / floor | CLI / Berth | Berth Docker API calls/s (create+start/s) | floor create+start/s | CLI create+start/s | operator RSS peak (MiB) | heap used peak (MiB) | SSH connections opened (h1 / h2) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
printf '%s\n' "${ROWS[@]}"
echo
printf '%s\n\n' "${PROFILES[@]}"
printf -- '- %s\n' "${LOADS[@]}"
! $FAILED
