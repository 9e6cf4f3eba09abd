#!/bin/sh
# The first start shared by the mysql and mariadb test images; sourced with SERVER, CLIENT and PREFIX set.
DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock

# setting NAME: $PREFIX_NAME, else MYSQL_NAME (MariaDB reads both, its own first).
setting() {
  eval "v=\${${PREFIX}_$1:-}"
  [ -n "$v" ] || eval "v=\${MYSQL_$1:-}"
  printf '%s' "$v"
}
# A value as the inside of a single-quoted SQL string; the value travels through a pipe, never a command line.
sql_string() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g"; }
sql_name() { printf '%s' "$1" | sed -e 's/`/``/g'; }
die() { echo "error: $*" >&2; exit 1; }

case "${1:-}" in -*) set -- "$SERVER" "$@" ;; esac

if [ "${1:-}" = "$SERVER" ] && [ ! -d "$DATADIR/mysql" ]; then
  shift
  root_pw=$(setting ROOT_PASSWORD)
  root_host=$(setting ROOT_HOST)
  root_host=${root_host:-%}
  db=$(setting DATABASE)
  user=$(setting USER)
  user_pw=$(setting PASSWORD)
  if [ -z "$root_pw" ]; then
    if [ -n "$(setting RANDOM_ROOT_PASSWORD)" ]; then
      root_pw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
      echo "GENERATED ROOT PASSWORD: $root_pw"
    elif [ -z "$(setting ALLOW_EMPTY_PASSWORD)$(setting ALLOW_EMPTY_ROOT_PASSWORD)" ]; then
      die "Database is uninitialized and password option is not specified
    You need to specify one of ${PREFIX}_ROOT_PASSWORD, ${PREFIX}_ALLOW_EMPTY_ROOT_PASSWORD and ${PREFIX}_RANDOM_ROOT_PASSWORD"
    fi
  fi
  [ "$user" != root ] || die "${PREFIX}_USER=root: ${PREFIX}_USER and ${PREFIX}_PASSWORD are for a regular user, not root"
  [ -z "$user" ] || [ -n "$user_pw" ] || die "${PREFIX}_USER is set but ${PREFIX}_PASSWORD is not"

  echo "Initializing database files"
  if [ "$SERVER" = mysqld ]; then
    mysqld --initialize-insecure "$@"
  else
    mariadb-install-db --datadir="$DATADIR" --auth-root-authentication-method=normal --skip-test-db \
      --skip-name-resolve --rpm "$@" >/dev/null
  fi
  "$SERVER" --skip-networking --socket="$SOCKET" "$@" &
  pid=$!
  i=0
  until echo 'SELECT 1' | "$CLIENT" --protocol=socket --socket="$SOCKET" -uroot >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || die "the init-time server stopped"
    i=$((i + 1))
    [ "$i" -lt 600 ] || die "the init-time server did not start"
    sleep 0.1
  done
  {
    echo "SET @@SESSION.SQL_LOG_BIN=0;"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$(sql_string "$root_pw")';"
    if [ "$root_host" != localhost ]; then
      echo "CREATE USER 'root'@'$(sql_string "$root_host")' IDENTIFIED BY '$(sql_string "$root_pw")';"
      echo "GRANT ALL ON *.* TO 'root'@'$(sql_string "$root_host")' WITH GRANT OPTION;"
    fi
    [ -z "$db" ] || echo "CREATE DATABASE IF NOT EXISTS \`$(sql_name "$db")\`;"
    if [ -n "$user" ]; then
      echo "CREATE USER '$(sql_string "$user")'@'%' IDENTIFIED BY '$(sql_string "$user_pw")';"
      [ -z "$db" ] || echo "GRANT ALL ON \`$(sql_name "$db")\`.* TO '$(sql_string "$user")'@'%';"
    fi
    echo "FLUSH PRIVILEGES;"
  } | "$CLIENT" --protocol=socket --socket="$SOCKET" -uroot
  for f in /docker-entrypoint-initdb.d/*; do
    case $f in
      *.sh) echo "running $f"; . "$f" ;;
      *.sql) echo "running $f"; MYSQL_PWD=$root_pw "$CLIENT" --protocol=socket --socket="$SOCKET" -uroot ${db:+"$db"} <"$f" ;;
    esac
  done
  echo 'SHUTDOWN;' | MYSQL_PWD=$root_pw "$CLIENT" --protocol=socket --socket="$SOCKET" -uroot
  wait "$pid" || true
  echo "init process done. Ready for start up."
  set -- "$SERVER" "$@"
fi
exec "$@"
