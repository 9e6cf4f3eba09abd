#!/bin/sh
# Test image entrypoint (scripts/engine-images.sh): the official mariadb image's first-start contract for a MariaDB
# built from Debian packages. Runs as mysql (uid 999, as in the official image).
#   MARIADB_ROOT_PASSWORD (or _ALLOW_EMPTY_ROOT_PASSWORD / _RANDOM_ROOT_PASSWORD), MARIADB_ROOT_HOST (default %),
#   MARIADB_DATABASE, MARIADB_USER + MARIADB_PASSWORD; each also read as MYSQL_* when the MARIADB_* one is unset;
#   /docker-entrypoint-initdb.d/*.sql|*.sh; all only when the data directory holds no system schema yet.
# The init-time server runs with networking off. Arguments starting with '-' go to mariadbd.
set -eu
SERVER=mariadbd
CLIENT=mariadb
PREFIX=MARIADB
. /usr/local/bin/mysql-init.sh
