#!/usr/bin/env bash
# Runs every test tier on this machine: brings up the test bed (fake remote Docker hosts in network
# namespaces, each with sshd + dockerd, and a Redis), runs `mvn verify` (unit tests, then integration tests
# against the bed, embedded PostgreSQL and fabric8's mock API server), and tears the bed down again.
set -euo pipefail
cd "$(dirname "$0")/.."

HOSTS="${BERTH_TESTBED_HOSTS:-2}"
# The database engine test images the database ITs use (every engine with a real server here), loaded onto the bed
# (built once per machine — the first build takes several minutes — and cached in /var/cache/berth-images;
# postgres18 is opt-in, see docs/databases.md).
export BERTH_ENGINE_IMAGES="${BERTH_ENGINE_IMAGES-postgres15 redis7 valkey9 mysql9 mariadb10 clickhouse18}"
trap 'scripts/testbed.sh down' EXIT   # also when `up` fails half-way
scripts/testbed.sh up "$HOSTS"

mvn -B -ntp verify "$@"
