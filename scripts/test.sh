#!/usr/bin/env bash
# Runs every test tier on this machine: brings up the test bed (fake remote Docker hosts in network
# namespaces, each with sshd + dockerd, and a Redis), runs `mvn verify` (unit tests, then integration tests
# against the bed, embedded PostgreSQL and fabric8's mock API server), and tears the bed down again.
set -euo pipefail
cd "$(dirname "$0")/.."

HOSTS="${BERTH_TESTBED_HOSTS:-2}"
trap 'scripts/testbed.sh down' EXIT   # also when `up` fails half-way
scripts/testbed.sh up "$HOSTS"

mvn -B -ntp verify "$@"
