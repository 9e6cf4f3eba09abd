#!/usr/bin/env bash
# Berth's main job on a machine with no cluster: build Berth, bring up one test-bed host (a network namespace
# with its own sshd and dockerd, scripts/testbed.sh), run the operator in LOCAL-ONLY mode (fabric8's in-process
# API server + embedded PostgreSQL + the test bed's Redis), create the resources of examples/ pointed at that
# host, and print their status as it converges; once the example Application is Ready, curl it; once the example
# PostgreSQL database is Ready, print how to connect to it and run one query.
#
#   scripts/run-local.sh            run until Ctrl-C
#   scripts/run-local.sh --once     exit after the demo: 0 when the app and the database became Ready and answered, else 1
#   scripts/run-local.sh --cluster  no demo: run the operator against the current kubeconfig's cluster
#                                   (install the CRDs first: kubectl apply -f crds/), embedded PostgreSQL
#
# The build is one `mvn package` (tests skipped), which works from an empty Maven repository and leaves a runnable
# layout: controller/target/berth-controller.jar, its dependencies in controller/target/lib/ (named by its
# manifest). Maven's output goes to target/local/build.log; on failure its tail is printed.
# Run as root (the test bed creates network namespaces). Everything it starts is stopped on exit, by PID.
# BERTH_TESTBED_SLOT picks the test bed (see scripts/testbed.sh); BERTH_HTTP_PORT the operator's port (8080).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
ONCE=false
CLUSTER=false
case ${1:-} in
  --once) ONCE=true ;;
  --cluster) CLUSTER=true ;;
  "") ;;
  *) echo "usage: $0 [--once|--cluster]" >&2; exit 2 ;;
esac
WORK="$REPO/target/local"
JAR="$REPO/controller/target/berth-controller.jar"
HTTP_PORT="${BERTH_HTTP_PORT:-8080}"

say() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nrun-local: FAILED: %s\n' "$*" >&2; exit 1; }
# A step without its own message still says which command failed, and where.
trap 'printf "\nrun-local: FAILED (exit %s) at %s line %s: %s\n" "$?" "$0" "$LINENO" "$BASH_COMMAND" >&2' ERR

command -v java >/dev/null || fail "no java on the PATH: install a JDK 17 or newer (Debian: apt-get install openjdk-17-jdk-headless)"
command -v mvn >/dev/null || fail "no mvn on the PATH: install Maven (Debian: apt-get install maven)"
java_version=$(java -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
[[ ${java_version%%.*} =~ ^[0-9]+$ ]] && ((${java_version%%.*} >= 17)) ||
  fail "$(command -v java) is Java '${java_version}'; Berth needs 17 or newer"
$CLUSTER || [[ $(id -u) -eq 0 ]] || fail "run as root: the test bed creates network namespaces"
mkdir -p "$WORK"

BUILD_LOG="$WORK/build.log"
say "Building Berth: mvn package, tests skipped (scripts/test.sh runs them); log: $BUILD_LOG"
echo "(the first build fills the Maven repository: a few minutes)"
started=$SECONDS
if ! mvn -B -ntp -Dstyle.color=never -DskipTests package >"$BUILD_LOG" 2>&1; then
  echo "--- the last 40 lines of $BUILD_LOG ---" >&2
  tail -n 40 "$BUILD_LOG" >&2
  fail "the build (mvn -B -ntp -DskipTests package) failed; its whole output is in $BUILD_LOG"
fi
[[ -s $JAR ]] || fail "the build passed but left no $JAR (see $BUILD_LOG)"
echo "built in $((SECONDS - started)) s: $JAR (+ controller/target/lib/)"

if $CLUSTER; then
  say "Running the operator against the current kubeconfig's cluster (Ctrl-C stops it)"
  BERTH_EMBEDDED_DB_DIR="${BERTH_EMBEDDED_DB_DIR:-$WORK/pgdata}" exec java -jar "$JAR"
fi

if command -v ss >/dev/null && ss -Hltn "sport = :$HTTP_PORT" | grep -q .; then
  fail "port $HTTP_PORT (the operator's /metrics, /readyz) is taken by another process; set BERTH_HTTP_PORT to a free port"
fi

OPERATOR_PID=""
BED_WAS_UP=false
scripts/testbed.sh status >/dev/null 2>&1 && BED_WAS_UP=true

# descendants PID: every process below PID, deepest first.
descendants() {
  local c
  for c in $(pgrep -P "$1" 2>/dev/null || true); do
    descendants "$c"
    echo "$c"
  done
}

# Stops the operator by its PID: SIGTERM (it closes its API server, pool and embedded PostgreSQL), after 30 s
# SIGKILL; then whatever it started and left behind (its PostgreSQL, if the JVM was killed) by PID too.
stop_operator() {
  [[ -n $OPERATOR_PID ]] && kill -0 "$OPERATOR_PID" 2>/dev/null || return 0
  local kids=() p i
  for p in $(descendants "$OPERATOR_PID"); do
    kids+=("$p:$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null || true)")
  done
  kill -TERM "$OPERATOR_PID" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    kill -0 "$OPERATOR_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$OPERATOR_PID" 2>/dev/null; then
    echo "run-local: the operator (PID $OPERATOR_PID) did not stop within 30 s; killing it" >&2
    kill -KILL "$OPERATOR_PID" 2>/dev/null || true
  fi
  wait "$OPERATOR_PID" 2>/dev/null || true
  for p in "${kids[@]}"; do
    # Still there and still the same process (not a recycled PID)?
    if [[ $(tr '\0' ' ' <"/proc/${p%%:*}/cmdline" 2>/dev/null || true) == "${p#*:}" && -n ${p#*:} ]]; then
      echo "run-local: stopping PID ${p%%:*} the operator left behind: ${p#*:}" >&2
      kill -TERM "${p%%:*}" 2>/dev/null || true
    fi
  done
  echo "operator (PID $OPERATOR_PID) stopped"
}

cleanup() {
  local rc=$?
  trap - ERR
  stop_operator
  if ! $BED_WAS_UP; then   # a bed someone else brought up stays up
    scripts/testbed.sh down || echo "run-local: the test bed did not come down cleanly (see above); retry: scripts/testbed.sh down" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "Bringing up one test-bed host (network namespace + sshd + dockerd), slot ${BERTH_TESTBED_SLOT:-0}"
if $BED_WAS_UP; then bed_args=(); else bed_args=(1); fi
scripts/testbed.sh up "${bed_args[@]}" ||
  fail "the test bed did not come up (its messages are above; its state and logs are under $REPO/target/testbed)"
# shellcheck disable=SC1091
source target/testbed/testbed.env
# The example database's engine, a real PostgreSQL built from Debian packages (no registry here): built once per
# machine and cached (/var/cache/berth-images), loaded onto the host.
say "Loading the PostgreSQL test image onto the host (built once per machine, a few minutes the first time)"
scripts/testbed.sh images postgres15 >"$WORK/images.log" 2>&1 ||
  { tail -n 30 "$WORK/images.log" >&2; fail "the PostgreSQL test image could not be built or loaded (its log: $WORK/images.log)"; }

say "Rendering examples/ for host ${TESTBED_HOST_1_ADDRESS} into $WORK/examples"
rm -rf "$WORK/examples" && mkdir -p "$WORK/examples"
for f in examples/*.yaml; do
  out="$WORK/examples/$(basename "$f")"
  if [[ $(basename "$f") == 00-server-key-secret.yaml ]]; then
    # The test-bed key, indented under stringData (the in-process API server is told it as data).
    { sed '/REPLACE-WITH-YOUR-PRIVATE-KEY/,$d' "$f"; sed 's/^/    /' "$TESTBED_HOST_1_KEY"; } >"$out"
  else
    sed -e "s/host: 10\.213\.1\.2 /host: ${TESTBED_HOST_1_ADDRESS} /" \
        -e "s#policy: TrustOnFirstUse .*#policy: Pinned\n    fingerprint: ${TESTBED_HOST_1_HOST_KEY_FINGERPRINT}#" \
        -e "s#image: berth-test/httpd:1#image: ${TESTBED_APP_IMAGE}#" \
        -e "s#^  engine: postgresql\$#  engine: postgresql\n  image: berth-test/postgres:15#" "$f" >"$out"
  fi
done

LOG="$WORK/operator.out"
say "Starting the operator in LOCAL-ONLY mode (its log: $LOG; status table below)"
: >"$LOG"
BERTH_LOCAL_MODE=true \
BERTH_LOCAL_APPLY="$WORK/examples" \
BERTH_EMBEDDED_DB_DIR="$WORK/pgdata" \
BERTH_REDIS_URL="$TESTBED_REDIS_URL" \
BERTH_HTTP_PORT="$HTTP_PORT" \
  java -jar "$JAR" >"$LOG" 2>&1 &
OPERATOR_PID=$!

# log_tail: the operator's last lines, log lines included, for a failure's explanation.
log_tail() {
  echo "--- the last 30 lines of $LOG ---" >&2
  tail -n 30 "$LOG" >&2
}

# Show the status table as the operator prints it, until the example Application is Ready (or time is up).
APP_URL="http://${TESTBED_HOST_1_ADDRESS}:18080/"
deadline=$((SECONDS + ${BERTH_DEMO_TIMEOUT:-180}))
shown=0
ready=false
while ((SECONDS < deadline)); do
  if ! kill -0 "$OPERATOR_PID" 2>/dev/null; then
    log_tail
    fail "the operator exited early; its whole log is $LOG"
  fi
  lines=$(wc -l <"$LOG")
  if ((lines > shown)); then
    # The status table only; the operator's log lines (timestamped) stay in the log.
    sed -n "$((shown + 1)),${lines}p" "$LOG" | grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' || true
    shown=$lines
  fi
  if grep -Eq '^Application +[a-z0-9-]+/hello +True' <(tail -n 20 "$LOG"); then
    ready=true
    break
  fi
  sleep 1
done

say "Metrics: http://127.0.0.1:${HTTP_PORT}/metrics  readiness: $(curl -s "http://127.0.0.1:${HTTP_PORT}/readyz" | head -1 || true)"
if $ready; then
  say "curl $APP_URL"
  if ! curl -sS --max-time 5 "$APP_URL"; then
    msg="the example Application is Ready but $APP_URL did not answer (the operator's log: $LOG)"
    if $ONCE; then fail "$msg"; fi
    echo "run-local: $msg" >&2
  fi
else
  log_tail
  msg="the example Application did not become Ready within ${BERTH_DEMO_TIMEOUT:-180} s (the table above; the log: $LOG)"
  if $ONCE; then fail "$msg"; fi
  echo "run-local: $msg" >&2
fi

# The example database: Ready once PostgreSQL accepts its login; then how to connect, and a query to show it works.
db_ready=false
while ((SECONDS < deadline + 120)); do
  if grep -Eq '^StandaloneDatabase +[a-z0-9-]+/shop-db +True' <(tail -n 20 "$LOG"); then
    db_ready=true
    break
  fi
  kill -0 "$OPERATOR_PID" 2>/dev/null || break
  sleep 1
done
if $db_ready; then
  lines=$(wc -l <"$LOG")
  sed -n "$((shown + 1)),${lines}p" "$LOG" | grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' || true
  shown=$lines
  DOCKER=(docker -H "unix://${TESTBED_HOST_1_DOCKER_SOCK}")
  ctr=$("${DOCKER[@]}" ps -q --filter "name=-shop-db-db-" | head -1)
  ns=$(grep -Eo '^StandaloneDatabase +[a-z0-9-]+/shop-db ' "$LOG" | tail -1 | awk '{print $2}' | cut -d/ -f1)
  say "The example PostgreSQL database shop-db is Ready. Connect from a container on the Server's Berth network:"
  echo "  psql \"postgresql://shop:<password>@shop-db.${ns}.db:5432/shop\""
  echo "  (the ready-made uri is key 'uri' of Secret shop-db-connection; in a cluster:"
  echo "   kubectl get secret shop-db-connection -o jsonpath='{.data.uri}' | base64 -d)"
  echo "  From this machine, on the host (container ${ctr:0:12}):"
  echo "  ${DOCKER[*]} exec -it ${ctr:0:12} sh -c 'PGPASSWORD=\"\$POSTGRES_PASSWORD\" psql -h 127.0.0.1 -U shop -d shop'"
  # The password stays in the container's environment: this shell never sees it.
  if ! answer=$("${DOCKER[@]}" exec "$ctr" sh -c 'PGPASSWORD="$POSTGRES_PASSWORD" psql -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -tAc "SELECT version()"'); then
    msg="the example database is Ready but a login over TCP failed (the operator's log: $LOG)"
    if $ONCE; then fail "$msg"; fi
    echo "run-local: $msg" >&2
  fi
  say "It answers: $answer"
else
  log_tail
  msg="the example StandaloneDatabase did not become Ready (the table above; the log: $LOG)"
  if $ONCE; then fail "$msg"; fi
  echo "run-local: $msg" >&2
fi

if $ONCE; then
  say "Demo done; stopping the operator and the test-bed host"
  exit 0
fi
say "Running; Ctrl-C stops the operator and the test-bed host"
# tail ends when the operator does (--pid), so nothing of this pipeline outlives it.
tail -n +$((shown + 1)) --pid="$OPERATOR_PID" -f "$LOG" | grep --line-buffered -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' &
wait "$OPERATOR_PID" || true
