#!/usr/bin/env bash
# The operator image, start to finish, with no Docker daemon and no registry:
#   1. scripts/build-base-image.sh   Debian libraries + jlink'ed Java 17 as target/image/berth-base.tar (cached)
#   2. mvn -Pimage package            Jib puts the operator on that base: controller/target/jib-image.tar
#   3. scripts/image/check-image.sh   entrypoint, user, port and layers of the result
#
#   scripts/image/build.sh [extra maven args, e.g. -o]
# Load it where a daemon exists: docker load -i controller/target/jib-image.tar
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
scripts/build-base-image.sh
mvn -B -q -pl controller -am -Pimage package -Dmaven.test.skip=true "$@"
scripts/image/check-image.sh controller/target/jib-image.tar
