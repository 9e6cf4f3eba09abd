#!/bin/sh
# Test image entrypoint (scripts/engine-images.sh): the official mysql image's first-start contract for a MySQL
# built from Debian packages. Runs as mysql (uid 999, as in the official image).
#   MYSQL_ROOT_PASSWORD (or MYSQL_ALLOW_EMPTY_PASSWORD / MYSQL_RANDOM_ROOT_PASSWORD), MYSQL_ROOT_HOST (default %),
#   MYSQL_DATABASE, MYSQL_USER + MYSQL_PASSWORD (granted all on MYSQL_DATABASE), /docker-entrypoint-initdb.d/*.sql|*.sh;
#   all only when the data directory holds no system schema yet.
# The init-time server runs with networking off, so a readiness check over TCP cannot pass before the real server
# runs. Arguments starting with '-' go to mysqld (`docker run IMAGE --max-connections=200`).
set -eu
SERVER=mysqld
CLIENT=mysql
PREFIX=MYSQL
. /usr/local/bin/mysql-init.sh
