#!/usr/bin/env bash
# Berth's main job on a machine with no cluster: build Berth, bring up one test-bed host (a network namespace
# with its own sshd and dockerd, scripts/testbed.sh), run the operator in LOCAL-ONLY mode (fabric8's in-process
# API server + embedded PostgreSQL + the test bed's Redis), create the resources of examples/ pointed at that
# host, and print their status as it converges; once the example Application is Ready, curl it.
#
#   scripts/run-local.sh            run until Ctrl-C
#   scripts/run-local.sh --once     exit after the demo (status converged and the app answered, or a timeout)
#   scripts/run-local.sh --cluster  no demo: run the operator against the current kubeconfig's cluster
#                                   (install the CRDs first: kubectl apply -f crds/), embedded PostgreSQL
#
# Run as root (the test bed creates network namespaces). Everything it starts is stopped on exit, by PID.
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
mkdir -p "$WORK"

say() { printf '\n==> %s\n' "$*"; }

say "Building Berth (mvn install, tests skipped: scripts/test.sh runs them)"
mvn -B -q -ntp -DskipTests install
mvn -B -q -ntp -o -pl controller dependency:build-classpath -Dmdep.outputFile="$WORK/classpath.txt" >/dev/null

if $CLUSTER; then
  say "Running the operator against the current kubeconfig's cluster (Ctrl-C stops it)"
  BERTH_EMBEDDED_DB_DIR="${BERTH_EMBEDDED_DB_DIR:-$WORK/pgdata}" \
    exec java -cp "controller/target/classes:$(cat "$WORK/classpath.txt")" dev.berth.controller.Main
fi

say "Bringing up one test-bed host (network namespace + sshd + dockerd)"
BED_WAS_UP=false
scripts/testbed.sh status >/dev/null 2>&1 && BED_WAS_UP=true
if $BED_WAS_UP; then scripts/testbed.sh up; else scripts/testbed.sh up 1; fi
# shellcheck disable=SC1091
source target/testbed/testbed.env

OPERATOR_PID=""
cleanup() {
  if [[ -n $OPERATOR_PID ]] && kill -0 "$OPERATOR_PID" 2>/dev/null; then
    kill -TERM "$OPERATOR_PID" 2>/dev/null || true
    wait "$OPERATOR_PID" 2>/dev/null || true
  fi
  $BED_WAS_UP || scripts/testbed.sh down   # a bed someone else brought up stays up
}
trap cleanup EXIT
trap 'exit 130' INT TERM

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
        -e "s#image: berth-test/httpd:1#image: ${TESTBED_APP_IMAGE}#" "$f" >"$out"
  fi
done

say "Starting the operator in LOCAL-ONLY mode (log: $WORK/operator.out; status table below)"
: >"$WORK/operator.out"
BERTH_LOCAL_MODE=true \
BERTH_LOCAL_APPLY="$WORK/examples" \
BERTH_EMBEDDED_DB_DIR="$WORK/pgdata" \
BERTH_REDIS_URL="$TESTBED_REDIS_URL" \
BERTH_HTTP_PORT="${BERTH_HTTP_PORT:-8080}" \
  java -cp "controller/target/classes:$(cat "$WORK/classpath.txt")" dev.berth.controller.Main \
  >"$WORK/operator.out" 2>&1 &
OPERATOR_PID=$!

# Show the status table as the operator prints it, until the example Application is Ready (or time is up).
APP_URL="http://${TESTBED_HOST_1_ADDRESS}:18080/"
deadline=$((SECONDS + ${BERTH_DEMO_TIMEOUT:-180}))
shown=0
ready=false
while (( SECONDS < deadline )); do
  kill -0 "$OPERATOR_PID" 2>/dev/null || { echo "operator exited; see $WORK/operator.out"; tail -20 "$WORK/operator.out"; exit 1; }
  lines=$(wc -l <"$WORK/operator.out")
  if (( lines > shown )); then
    # The status table only; the operator's log lines (timestamped) stay in operator.out.
    sed -n "$((shown + 1)),${lines}p" "$WORK/operator.out" | grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' || true
    shown=$lines
  fi
  if grep -Eq '^Application +[a-z0-9-]+/hello +True' <(tail -n 20 "$WORK/operator.out"); then
    ready=true
    break
  fi
  sleep 1
done

say "Metrics: http://127.0.0.1:${BERTH_HTTP_PORT:-8080}/metrics  readiness: $(curl -s "http://127.0.0.1:${BERTH_HTTP_PORT:-8080}/readyz" | head -1)"
if $ready; then
  say "curl $APP_URL"
  curl -sS --max-time 5 "$APP_URL" || true
else
  say "The example Application is not Ready yet (see the table above and $WORK/operator.out)"
fi

if $ONCE; then
  $ready || exit 1
  exit 0
fi
say "Running; Ctrl-C stops the operator and the test-bed host"
tail -n +$((shown + 1)) -f "$WORK/operator.out" | grep --line-buffered -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' &
TAIL_PID=$!
wait "$OPERATOR_PID" || true
kill "$TAIL_PID" 2>/dev/null || true
