#!/usr/bin/env bash
# Benchmark: the same Docker operations against one test-bed host, three ways in one run (docs/benchmarks.md):
# Berth's pooled SSH + Docker API, docker-java on the host's local socket (the floor), and the Docker CLI with
# DOCKER_HOST=ssh://... (a new SSH connection per command; and with OpenSSH ControlMaster, its best case).
# Two bounds are measured alongside (BENCH_BOUNDS=0 leaves them out): docker-java over plain TCP to a socat relay on
# the host (no SSH at all: what one network hop and one relay process cost here), and docker-java through a Unix
# socket forwarded by OpenSSH's own client (ssh -L: the same transport as Berth's, written in C).
#
#   scripts/bench-docker-ssh.sh [HOST_INDEX=2] [ITERATIONS=30] [INSPECTS=2000] [CLI_INSPECTS=30] [WARMUP=INSPECTS]
#
# BENCH_JAVA_OPTS adds JVM options to the benchmark's JVM.
#
# Needs the test bed (scripts/testbed.sh up). Starts a dedicated sshd on the host (port $BENCH_SSHD_PORT, default
# 2398) so that the shared port-22 one is not disturbed, and stops it at the end. Markdown tables go to stdout.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
HOST=${1:-2}
ITERATIONS=${2:-30}
INSPECTS=${3:-2000}
CLI_INSPECTS=${4:-30}
WARMUP=${5:-$INSPECTS}
PORT=${BENCH_SSHD_PORT:-2398}
RELAY_PORT=${BENCH_RELAY_PORT:-2399}
BOUNDS=${BENCH_BOUNDS:-1}
ENV_FILE=${BERTH_TESTBED_ENV:-$REPO/target/testbed/testbed.env}
die() { echo "bench-docker-ssh: $*" >&2; exit 1; }
[[ -f $ENV_FILE ]] || die "no test bed env file $ENV_FILE: run scripts/testbed.sh up"
val() { sed -n "s/^$1=//p" "$ENV_FILE"; }
TESTBED=$(val TESTBED_SCRIPT)
SLOT=$(val TESTBED_SLOT); [[ -z $SLOT ]] || export BERTH_TESTBED_SLOT=$SLOT   # act on the bed the env file describes
ADDRESS=$(val "TESTBED_HOST_${HOST}_ADDRESS")
KEY=$(val "TESTBED_HOST_${HOST}_KEY")
[[ -n $ADDRESS && -n $KEY ]] || die "host $HOST is not in $ENV_FILE"
NETNS=$(val "TESTBED_HOST_${HOST}_NETNS")
DOCKER_SOCK=$(val "TESTBED_HOST_${HOST}_DOCKER_SOCK")

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  "$TESTBED" sshd stop "$HOST" "$PORT" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
FINGERPRINT=$("$TESTBED" sshd start "$HOST" "$PORT")

# The CLI's ssh: the test bed's key, and the host key pinned (scanned, then checked against the fingerprint).
ssh-keyscan -p "$PORT" -t ed25519 "$ADDRESS" 2>/dev/null >"$WORK/known_hosts"
SCANNED=$(ssh-keygen -lf "$WORK/known_hosts" | awk '{print $2}')
[[ $SCANNED == "$FINGERPRINT" ]] || die "scanned host key $SCANNED is not the sshd's $FINGERPRINT"
for mode in cli mux; do
  mkdir -p "$WORK/$mode"
  {
    echo "Host *"
    echo "  IdentityFile $KEY"
    echo "  IdentitiesOnly yes"
    echo "  UserKnownHostsFile $WORK/known_hosts"
    echo "  StrictHostKeyChecking yes"
    echo "  BatchMode yes"
    echo "  LogLevel ERROR"
    if [[ $mode == mux ]]; then
      echo "  ControlMaster auto"
      echo "  ControlPath $WORK/mux-%C"
      echo "  ControlPersist 120"
    fi
  } >"$WORK/$mode.config"
  printf '#!/bin/sh\nexec /usr/bin/ssh -F %s "$@"\n' "$WORK/$mode.config" >"$WORK/$mode/ssh"
  chmod +x "$WORK/$mode/ssh"
done
RELAY=- FORWARD=-
if [[ $BOUNDS == 1 ]]; then
  if ! command -v socat >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends socat >/dev/null
  fi
  # The relay: inside the host's network namespace, listening on the host's address only, one socat child per
  # connection copying bytes to the same dockerd socket Berth reaches through sshd.
  ip netns exec "$NETNS" socat "TCP-LISTEN:$RELAY_PORT,bind=$ADDRESS,reuseaddr,fork,nodelay" "UNIX-CONNECT:$DOCKER_SOCK" &
  PIDS+=($!)
  RELAY="tcp://$ADDRESS:$RELAY_PORT"
  # OpenSSH's client forwarding a local Unix socket to the host's dockerd socket, host key pinned as for the CLI.
  /usr/bin/ssh -F "$WORK/cli.config" -N -o ExitOnForwardFailure=yes -o StreamLocalBindUnlink=yes \
    -L "$WORK/fwd.sock:/var/run/docker.sock" -p "$PORT" "$(val "TESTBED_HOST_${HOST}_USER")@$ADDRESS" &
  PIDS+=($!)
  FORWARD="unix://$WORK/fwd.sock"
  for ((i = 0; i < 100; i++)); do
    [[ -S $WORK/fwd.sock ]] && bash -c "</dev/tcp/$ADDRESS/$RELAY_PORT" 2>/dev/null && break
    sleep 0.1
  done
  [[ -S $WORK/fwd.sock ]] || die "ssh -L did not create $WORK/fwd.sock"
fi
cd "$REPO"
source "$REPO/scripts/lib/bench-java.sh"
bench_java_setup "$WORK"
BERTH_TESTBED_ENV=$ENV_FILE java ${BENCH_JAVA_OPTS:-} -Dlogback.configurationFile="$WORK/logback.xml" \
  -cp "$BENCH_CP" \
  dev.berth.controller.bench.DockerOverSshBenchmark "$HOST" "$PORT" "$FINGERPRINT" "$WORK/cli" "$WORK/mux" \
  "$ITERATIONS" "$INSPECTS" "$CLI_INSPECTS" "$WARMUP" "$RELAY" "$FORWARD"
