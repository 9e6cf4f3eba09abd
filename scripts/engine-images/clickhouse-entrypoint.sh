#!/bin/sh
# Test image entrypoint (scripts/engine-images.sh): the official clickhouse-server image's contract for the
# ClickHouse 18.16 Debian has. Runs as clickhouse (uid 101, as in the official image).
#   CLICKHOUSE_USER (default: default), CLICKHOUSE_PASSWORD: written on every start as users.d/default-user.xml (the
#   password as its SHA-256); another user than default removes default, as the official image does. Without either,
#   default may log in from loopback only. CLICKHOUSE_DB: created on first start (empty data directory) by a
#   server listening on loopback only, so a readiness check against the container's own address cannot pass yet.
# No argument, or arguments starting with '--', start the server with those config overrides (`-- --key=value`).
set -eu
CONFIG=/etc/clickhouse-server/config.xml
USERS_FILE=/etc/clickhouse-server/users.d/default-user.xml
if [ $# -eq 0 ] || [ "${1#--}" != "$1" ]; then set -- clickhouse-server --config-file="$CONFIG" "$@"; fi

if [ "$1" = clickhouse-server ]; then
  rm -f "$USERS_FILE"
  if [ -n "${CLICKHOUSE_DB:-}" ] && [ ! -d /var/lib/clickhouse/metadata ]; then
    clickhouse-server --config-file="$CONFIG" -- --listen_host=127.0.0.1 &
    pid=$!
    i=0
    until clickhouse-client --host 127.0.0.1 --query 'SELECT 1' >/dev/null 2>&1; do
      kill -0 "$pid" 2>/dev/null || { echo "error: the init-time server stopped" >&2; exit 1; }
      i=$((i + 1))
      [ "$i" -lt 600 ] || { echo "error: the init-time server did not start" >&2; exit 1; }
      sleep 0.1
    done
    name=$(printf '%s' "$CLICKHOUSE_DB" | sed 's/`/\\`/g')
    clickhouse-client --host 127.0.0.1 --query "CREATE DATABASE IF NOT EXISTS \`$name\`"
    kill -TERM "$pid"
    wait "$pid" || true
  fi
  user=${CLICKHOUSE_USER:-default}
  if [ -n "${CLICKHOUSE_PASSWORD:-}" ] || [ "$user" != default ]; then
    hash=$(printf '%s' "${CLICKHOUSE_PASSWORD:-}" | sha256sum | cut -d' ' -f1)
    {
      echo '<yandex><users>'
      if [ "$user" = default ]; then
        echo '<default replace="replace">'
      else
        echo '<default remove="remove"/>'
        echo "<$user>"
      fi
      echo "<password_sha256_hex>$hash</password_sha256_hex>"
      echo '<networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota>'
      echo "</$user></users></yandex>"
    } >"$USERS_FILE"
  else
    echo '<yandex><users><default><networks replace="replace"><ip>::1</ip><ip>127.0.0.1</ip></networks></default></users></yandex>' >"$USERS_FILE"
  fi
fi
exec "$@"
