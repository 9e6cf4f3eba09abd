#!/usr/bin/env bash
# Runs the operator image on a private Docker daemon: load the tarball, check that the image's Java starts,
# then run the operator (local mode: in-process API server, embedded PostgreSQL) read-only as user 65532 until
# /healthz answers. Stops the container and the daemon it started by PID. Run as root (dockerd).
#
#   scripts/image/smoke-run.sh [image.tar]            default controller/target/jib-image.tar
# Env: DOCKER_HOST (use this daemon instead of starting one), SMOKE_PORT (default 18480), SMOKE_TIMEOUT (s, 180)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TAR=${1:-$ROOT/controller/target/jib-image.tar}
PORT=${SMOKE_PORT:-18480}
TIMEOUT=${SMOKE_TIMEOUT:-180}
STATE=$ROOT/target/image/dockerd
NAME=berth-image-smoke
[[ -s "$TAR" ]] || { echo "no image tarball at $TAR" >&2; exit 1; }
IMAGE=$(tar -xOf "$TAR" manifest.json | jq -r '.[0].RepoTags[0]')

DOCKERD_PID=
cleanup() {
  docker rm -f "$NAME" >/dev/null 2>&1 || true
  if [[ -n "$DOCKERD_PID" ]] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
    kill "$DOCKERD_PID"
    for _ in $(seq 1 50); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$DOCKERD_PID" 2>/dev/null || true
    # dockerd leaves its network namespace bind-mounted; the image data stays cached for the next run.
    if mountpoint -q "$STATE/exec/netns/default" 2>/dev/null; then umount "$STATE/exec/netns/default" || true; fi
  fi
}
trap cleanup EXIT

if [[ -z "${DOCKER_HOST:-}" ]]; then
  mkdir -p "$STATE"
  # No bridge and no iptables: nothing on the machine's network changes; the container uses the host network.
  dockerd --host "unix://$STATE/docker.sock" --data-root "$STATE/data" --exec-root "$STATE/exec" \
    --pidfile "$STATE/dockerd.pid" --iptables=false --bridge=none >"$STATE/dockerd.log" 2>&1 &
  DOCKERD_PID=$!
  export DOCKER_HOST=unix://$STATE/docker.sock
  for _ in $(seq 1 100); do docker version >/dev/null 2>&1 && break; sleep 0.2; done
  docker version --format 'dockerd {{.Server.Version}} (pid '"$DOCKERD_PID"')'
fi

docker load -i "$TAR"
echo "== the image's Java"
docker run --rm --network none --entrypoint java "$IMAGE" -version

echo "== the operator, read-only root, user $(docker image inspect -f '{{.Config.User}}' "$IMAGE"), port $PORT"
docker run -d --name "$NAME" --network host --read-only \
  --cap-drop ALL --security-opt no-new-privileges \
  --tmpfs /tmp:rw,exec,size=512m --tmpfs /var/lib/berth:rw,exec,uid=65532,gid=65532,size=1g \
  -e BERTH_LOCAL_MODE=true -e BERTH_HTTP_PORT="$PORT" -e BERTH_EMBEDDED_DB_DIR=/var/lib/berth/pgdata \
  "$IMAGE" >/dev/null
deadline=$((SECONDS + TIMEOUT))
until curl -fsS "http://127.0.0.1:$PORT/healthz" 2>/dev/null; do
  if [[ "$(docker inspect -f '{{.State.Running}}' "$NAME")" != "true" || $SECONDS -ge $deadline ]]; then
    echo "FAIL: /healthz did not answer within ${TIMEOUT}s" >&2
    docker logs --tail 80 "$NAME" >&2 || true
    exit 1
  fi
  sleep 1
done
echo
echo "ok   /healthz answered after $((SECONDS - deadline + TIMEOUT))s"
until curl -fsS "http://127.0.0.1:$PORT/readyz" 2>/dev/null; do
  if [[ $SECONDS -ge $deadline ]]; then echo "(/readyz not ready within ${TIMEOUT}s)"; break; fi
  sleep 1
done
echo
echo "==  /readyz after $((SECONDS - deadline + TIMEOUT))s; /metrics:"
curl -fsS "http://127.0.0.1:$PORT/metrics" | grep -m3 -E '^[a-z_]+' || true
docker logs --tail 5 "$NAME"
