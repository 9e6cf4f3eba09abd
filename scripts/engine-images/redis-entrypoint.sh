#!/bin/sh
# Test image entrypoint (scripts/engine-images.sh): the official redis (and valkey) image's contract for a server
# built from Debian packages, run as uid 999 in /data. No env: the password comes as `--requirepass` or in a config
# (a file, or `-` for stdin). As in the official image, arguments starting with '-' or a *.conf file go to the
# server, and protected mode is off unless a config file sets it (the container is the boundary).
set -eu
case "${1:-}" in -* | *.conf) set -- "$REDIS_SERVER" "$@" ;; esac
if [ "${1:-}" = "$REDIS_SERVER" ]; then
  shift
  conf=
  case "${1:-}" in -*) ;; ?*) conf=$1; shift ;; esac
  if [ -z "$conf" ] || ! grep -q '^protected-mode' "$conf"; then set -- --protected-mode no "$@"; fi
  set -- "$REDIS_SERVER" ${conf:+"$conf"} "$@"
fi
exec "$@"
