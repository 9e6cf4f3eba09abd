#!/usr/bin/env bash
# Database engine test images, built without a registry from Debian packages (bookworm, and sid through an apt
# configuration of our own: the machine's apt sources are never touched). Each image is the engine's server and
# client from .deb files unpacked with dpkg -x, pruned of docs, perl and locales, with static busybox as /bin/sh, the
# official image's user (same uid) and data directory, and a small entrypoint that honours the official image's
# env contract on first start (scripts/engine-images/*-entrypoint.sh). Run as root.
#
#   scripts/engine-images.sh list                 image names, tags and whether the current recipe is cached
#   scripts/engine-images.sh build NAME...        build the tarballs missing from the cache (all: every image)
#   scripts/engine-images.sh load SOCKET NAME...  build if needed, then `docker load` into the dockerd at SOCKET
#                                                 (skipped when it already has the tag from the same recipe)
#   scripts/engine-images.sh tag NAME             the image's tag, e.g. berth-test/postgres:15
#
# Tarballs are Docker archives (the `docker save` format, so that STOPSIGNAL, which dockerd 20.10 refuses in
# `docker import --change`, comes along), cached OUTSIDE the repository in $BERTH_IMAGE_CACHE (default
# /var/cache/berth-images) as <name>-<recipe hash>.tar: a fresh clone reuses them, a changed recipe (its function
# below, its entrypoint, or the builder) builds anew. Debian's sid moves: a cached image keeps the versions it was
# built with (they are in the image's label dev.berth.test.packages) until its recipe changes.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$REPO/scripts/engine-images"
CACHE=${BERTH_IMAGE_CACHE:-/var/cache/berth-images}
NAMES=(postgres15 postgres18 mysql9 mariadb10 redis7 valkey9 clickhouse18)
# Bump when the builder itself changes in a way every image must see.
BUILDER_VERSION=1

log() { echo "engine-images: $*" >&2; }
die() { echo "engine-images: ERROR: $*" >&2; exit 1; }

# --- recipes: each sets the variables load_recipe clears; files under scripts/engine-images/<name>/ are copied -------
# --- into the image's root (configuration), scripts/engine-images/*.sh are entrypoints --------------------------------
# PACKAGES: roots of the dependency closure. EXCLUDE: an extended regex of package names left out of the closure
# (maintainer-script machinery, perl, systemd; nothing the server or client binaries load).
COMMON_EXCLUDE='^(perl|perl-base|perl-modules-.*|libperl.*|debconf|cdebconf|debconf-2.0|libdebian-installer.*|libnewt.*|libslang.*|libtextwrap.*|seedfiles|dpkg|tar|coreutils|bash|dash|diffutils|findutils|grep|gzip|sed|hostname|login|login.defs|passwd|adduser|base-passwd|libpam-modules.*|libpam-runtime|lsb-base|sensible-utils|ucf|init-system-helpers|systemd|systemd-.*|libsystemd-shared|opensysusers|procps|psmisc|netbase|ssl-cert|openssl|libsemanage.*|libsepol.*|libaudit-common|util-linux|mount|libc-gconv-modules-extra|libc-l10n|locales|locales-all|lsb-release|python3.*|libpython3.*|debianutils|mawk|gawk|cron|logrotate)$'

recipe_postgres15() {
  TAG=berth-test/postgres:15
  SUITE=bookworm
  PACKAGES="postgresql-15 postgresql-client-15"
  # libllvm (the JIT, ~100 MB) is loaded only as a plugin, pruned below; ICU, LDAP, GSSAPI are linked and stay.
  EXCLUDE='^(postgresql-common|postgresql-client-common|libllvm.*|libz3.*)$'
  USER_NAME=postgres USER_ID=999 USER_HOME=/var/lib/postgresql
  DATA_DIR=/var/lib/postgresql/data
  OWNED_DIRS="/var/lib/postgresql /var/lib/postgresql/data /run/postgresql"
  ENTRYPOINT_FILE=postgres-entrypoint.sh
  ENV_LIST="PATH=/usr/lib/postgresql/15/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin PGDATA=/var/lib/postgresql/data LANG=C.UTF-8"
  CMD='["postgres"]'
  PORTS="5432"
  STOPSIGNAL=SIGINT
  PRUNE="usr/lib/postgresql/15/lib/llvmjit* usr/lib/postgresql/15/lib/bitcode usr/lib/postgresql/15/bin/pg_regress"
}

recipe_postgres18() {
  recipe_postgres15
  TAG=berth-test/postgres:18
  SUITE=sid
  PACKAGES="postgresql-18 postgresql-client-18"
  # 18's official image: volume at /var/lib/postgresql, data in a directory named by the major version.
  DATA_DIR=/var/lib/postgresql
  OWNED_DIRS="/var/lib/postgresql /run/postgresql"
  ENV_LIST="PATH=/usr/lib/postgresql/18/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin PGDATA=/var/lib/postgresql/18/docker LANG=C.UTF-8"
  PRUNE="usr/lib/postgresql/18/lib/llvmjit* usr/lib/postgresql/18/lib/bitcode usr/lib/postgresql/18/bin/pg_regress"
}

recipe_mysql9() {
  TAG=berth-test/mysql:9
  SUITE=sid
  PACKAGES="mysql-server-core mysql-client-core"
  EXCLUDE='^(mysql-common|mariadb-common)$'
  USER_NAME=mysql USER_ID=999 USER_HOME=/var/lib/mysql
  DATA_DIR=/var/lib/mysql
  OWNED_DIRS="/var/lib/mysql /var/lib/mysql-files /run/mysqld"
  ENTRYPOINT_FILE=mysql-entrypoint.sh EXTRA_FILES=mysql-init.sh
  ENV_LIST="PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8"
  CMD='["mysqld"]'
  PORTS="3306 33060"
  STOPSIGNAL=SIGTERM
  # Keep the server, the client, mysqldump and mysqladmin: each other tool is a 7 MB static binary; no plugin is
  # loaded by default.
  PRUNE="usr/lib/mysql/plugin usr/bin/myisam* usr/bin/mysqlslap usr/bin/mysqlshow usr/bin/mysqlimport
    usr/bin/mysqlbinlog usr/bin/perror usr/bin/mysql_migrate_keyring usr/bin/mysql_secure_installation usr/bin/ibd2sdi
    usr/bin/innochecksum usr/bin/mysql_config_editor usr/bin/mysqlcheck usr/bin/mysqlpump usr/bin/mysqltest*
    usr/bin/mysql_client_test* usr/bin/mysqld_multi usr/bin/mysqld_safe usr/bin/mysqldumpslow usr/bin/zlib_decompress
    usr/bin/lz4_decompress"
}

recipe_mariadb10() {
  TAG=berth-test/mariadb:10.11
  SUITE=bookworm
  # mariadb-client, not only -core: mariadb-dump (the backup tool) is in it; its perl scripts are left unrunnable.
  PACKAGES="mariadb-server-core mariadb-client"
  EXCLUDE='^(mysql-common|mariadb-common|libconfig-inifiles-perl|libdbi-perl|libdbd-mariadb-perl|libterm-readkey-perl)$'
  USER_NAME=mysql USER_ID=999 USER_HOME=/var/lib/mysql
  DATA_DIR=/var/lib/mysql
  OWNED_DIRS="/var/lib/mysql /run/mysqld"
  ENTRYPOINT_FILE=mariadb-entrypoint.sh EXTRA_FILES=mysql-init.sh
  ENV_LIST="PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8"
  CMD='["mariadbd"]'
  PORTS="3306"
  STOPSIGNAL=SIGTERM
  PRUNE="usr/lib/mysql/plugin/*test* usr/lib/mysql/plugin/*example*"
}

recipe_redis7() {
  TAG=berth-test/redis:7.0
  SUITE=bookworm
  PACKAGES="redis-server redis-tools"
  EXCLUDE='^(lua-bitop|lua-cjson|lua5.1)$'
  USER_NAME=redis USER_ID=999 USER_HOME=/data
  DATA_DIR=/data
  OWNED_DIRS="/data"
  ENTRYPOINT_FILE=redis-entrypoint.sh
  ENV_LIST="PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin REDIS_SERVER=redis-server"
  CMD='["redis-server"]'
  PORTS="6379"
  STOPSIGNAL=SIGTERM
  PRUNE=""
}

recipe_valkey9() {
  recipe_redis7
  TAG=berth-test/valkey:9
  SUITE=sid
  PACKAGES="valkey-server valkey-tools"
  USER_NAME=valkey
  ENV_LIST="PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin REDIS_SERVER=valkey-server"
  CMD='["valkey-server"]'
}

recipe_clickhouse18() {
  TAG=berth-test/clickhouse:18.16
  SUITE=bookworm
  PACKAGES="clickhouse-server clickhouse-client tzdata"
  EXCLUDE='^(clickhouse-tools)$'
  USER_NAME=clickhouse USER_ID=101 USER_HOME=/var/lib/clickhouse
  DATA_DIR=/var/lib/clickhouse
  OWNED_DIRS="/var/lib/clickhouse /var/log/clickhouse-server /etc/clickhouse-server/users.d /etc/clickhouse-server/config.d"
  ENTRYPOINT_FILE=clickhouse-entrypoint.sh
  ENV_LIST="PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 TZ=UTC"
  CMD='[]'
  PORTS="8123 9000 9009"
  STOPSIGNAL=SIGTERM
  PRUNE=""
  POST_UNPACK=tune_clickhouse
}

# The package's config listens on loopback and logs to files; a container listens on all addresses and logs to
# stdout, like the official image's docker_related_config.xml.
tune_clickhouse() {
  local conf=$1/etc/clickhouse-server/config.xml
  sed -i -e 's|<!-- <listen_host>0.0.0.0</listen_host> -->|<listen_host>0.0.0.0</listen_host>|' \
    -e '\|<log>.*</log>|d' -e '\|<errorlog>.*</errorlog>|d' \
    -e 's|<!-- <console>1</console> -->|<console>1</console>|' -e 's|<level>warning</level>|<level>information</level>|' "$conf"
  grep -q '^ *<listen_host>0.0.0.0</listen_host>' "$conf" || die "clickhouse config.xml changed: listen_host not set"
  grep -q '<console>1</console>' "$conf" || die "clickhouse config.xml changed: console logging not switched on"
}

load_recipe() {
  local name=$1
  declare -F "recipe_$name" >/dev/null || die "unknown image $name (known: ${NAMES[*]})"
  TAG= SUITE= PACKAGES= EXCLUDE='^$' USER_NAME= USER_ID= USER_HOME= DATA_DIR= OWNED_DIRS= ENTRYPOINT_FILE= EXTRA_FILES= ENV_LIST=
  CMD='[]' PORTS= STOPSIGNAL=SIGTERM PRUNE= POST_UNPACK=
  "recipe_$name"
}

# The hash of what makes an image: its recipe, its entrypoint, the builder's functions.
recipe_hash() {
  local name=$1
  load_recipe "$name"
  {
    echo "$BUILDER_VERSION"
    declare -f "recipe_$name" recipe_postgres15 recipe_redis7 build_rootfs write_archive
    [[ -z $POST_UNPACK ]] || declare -f "$POST_UNPACK"
    echo "$COMMON_EXCLUDE"
    cat "$HERE/$ENTRYPOINT_FILE"
    local f
    for f in $EXTRA_FILES; do cat "$HERE/$f"; done
    [[ ! -d $HERE/$name ]] || (cd "$HERE/$name" && find . -type f | LC_ALL=C sort | xargs -r sha256sum)
  } | sha256sum | cut -c1-16
}

tarball() { echo "$CACHE/$1-$(recipe_hash "$1").tar"; }

# --- apt, per suite -------------------------------------------------------------------------------------------------

# apt_for SUITE: prints the apt options of a private configuration for that suite (lists and .debs under $CACHE).
apt_opts() {
  local suite=$1 dir="$CACHE/apt-$1" uri
  # The mirror the machine itself uses.
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [[ -n $uri ]] || uri=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list 2>/dev/null || true)
  [[ -n $uri ]] || die "cannot find the machine's Debian mirror"
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" >"$dir/sources.list"
  echo "-o Dir::Etc::sourcelist=$dir/sources.list -o Dir::Etc::sourceparts=- -o Dir::State::Lists=$dir/lists" \
    "-o Dir::Cache=$dir/cache -o Dir::State::status=/dev/null -o APT::Sandbox::User=root"
}

apt_update() {
  local suite=$1 opts stamp="$CACHE/apt-$1/updated"
  opts=$(apt_opts "$suite")
  # One update an hour is plenty for a test image.
  if [[ ! -e $stamp || -n $(find "$stamp" -mmin +60 2>/dev/null) ]]; then
    # shellcheck disable=SC2086
    apt-get $opts -qq update >/dev/null
    touch "$stamp"
  fi
}

# --- the build ------------------------------------------------------------------------------------------------------

build_rootfs() {
  local name=$1 work=$2 root=$2/rootfs opts pkgs deb
  opts=$(apt_opts "$SUITE")
  apt_update "$SUITE"
  # shellcheck disable=SC2086
  pkgs=$(apt-cache $opts depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
    --no-enhances $PACKAGES | grep '^[a-z0-9]' | sort -u | grep -Ev "$COMMON_EXCLUDE" | grep -Ev "$EXCLUDE")
  mkdir -p "$root"
  # .deb files are named by version: keep them per suite, so that a recipe change downloads only what is new.
  # apt fetches one file at a time, each a round trip of its own: several downloads run at once.
  local debs="$CACHE/apt-$SUITE/debs" files missing
  mkdir -p "$debs"
  # shellcheck disable=SC2086
  files=$(apt-get $opts -qq --print-uris download $pkgs | awk '{gsub(/\x27/, "", $2); print $2}')
  missing=$(for deb in $files; do [[ -s $debs/$deb ]] || echo "${deb%%_*}"; done)
  # shellcheck disable=SC2086
  [[ -z $missing ]] || (cd "$debs" && printf '%s\n' $missing | xargs -P 6 -n 4 apt-get $opts -qq download >/dev/null)
  for deb in $files; do
    [[ -s $debs/$deb ]] || die "$deb was not downloaded"
    dpkg -x "$debs/$deb" "$root"
    dpkg-deb -W --showformat='${Package}=${Version}\n' "$debs/$deb" >>"$work/packages.txt"
  done
  # sid's packages ship only /usr: the usr-merge links; bookworm's may ship both.
  local d
  for d in bin sbin lib lib64; do
    if [[ ! -e $root/$d && ! -L $root/$d ]]; then
      mkdir -p "$root/usr/$d"
      ln -s "usr/$d" "$root/$d"
    fi
  done
  # Nothing a server reads: docs, man pages, locales, debconf templates, lintian, bug scripts.
  rm -rf "$root"/usr/share/{doc,doc-base,man,info,locale,lintian,bug,bash-completion,menu,debconf,perl5,gdb} \
    "$root"/usr/lib/x86_64-linux-gnu/perl* "$root"/etc/{init.d,systemd,logrotate.d,cron.d,apparmor.d,default} \
    "$root"/usr/lib/systemd "$root"/lib/systemd
  local p
  for p in $PRUNE; do
    # shellcheck disable=SC2086
    rm -rf "$root"/$p
  done
  # Static busybox as /bin/sh, and its applets wherever Debian put no tool of that name.
  cp /bin/busybox "$root/bin/busybox"
  ln -sf busybox "$root/bin/sh"
  local a
  for a in $(/bin/busybox --list); do
    [[ -e $root/bin/$a || -e $root/usr/bin/$a || -e $root/sbin/$a || -e $root/usr/sbin/$a ]] \
      || ln -s busybox "$root/bin/$a"
  done
  # Users and files a container expects.
  mkdir -p "$root/etc" "$root/tmp" "$root/run" "$root/var" "$root/docker-entrypoint-initdb.d"
  chmod 1777 "$root/tmp"
  [[ -e $root/var/run ]] || ln -s ../run "$root/var/run"
  printf 'root:x:0:0:root:/root:/bin/sh\n%s:x:%s:%s:%s:%s:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
    "$USER_NAME" "$USER_ID" "$USER_ID" "$USER_NAME" "$USER_HOME" >"$root/etc/passwd"
  printf 'root:x:0:\n%s:x:%s:\nnogroup:x:65534:\n' "$USER_NAME" "$USER_ID" >"$root/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
  [[ -e $root/etc/localtime ]] || { [[ -e $root/usr/share/zoneinfo/UTC ]] && ln -sf /usr/share/zoneinfo/UTC "$root/etc/localtime"; } || true
  for d in $OWNED_DIRS; do
    mkdir -p "$root$d"
    chown "$USER_ID:$USER_ID" "$root$d"
  done
  [[ ! -d $HERE/$name ]] || cp -a "$HERE/$name/." "$root/"
  [[ -z $POST_UNPACK ]] || "$POST_UNPACK" "$root"
  mkdir -p "$root/usr/local/bin"
  install -m 0755 "$HERE/$ENTRYPOINT_FILE" "$root/usr/local/bin/docker-entrypoint.sh"
  for p in $EXTRA_FILES; do install -m 0755 "$HERE/$p" "$root/usr/local/bin/$p"; done
}

# write_archive NAME WORK OUT: the rootfs as a one-layer Docker archive with the recipe's config.
write_archive() {
  local name=$1 work=$2 out=$3 hash=$4 layer_sha config_sha env_json ports_json
  tar --sort=name --mtime=@0 --numeric-owner -C "$work/rootfs" -cf "$work/layer.tar" .
  layer_sha=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  mkdir -p "$work/archive/$layer_sha"
  mv "$work/layer.tar" "$work/archive/$layer_sha/layer.tar"
  # shellcheck disable=SC2086
  env_json=$(printf '%s\n' $ENV_LIST | jq -R . | jq -s .)
  # shellcheck disable=SC2086
  ports_json=$(printf '%s\n' $PORTS | jq -R '{(. + "/tcp"): {}}' | jq -s 'add')
  jq -n --arg diff "sha256:$layer_sha" --arg user "$USER_ID:$USER_ID" --argjson env "$env_json" \
    --argjson cmd "$CMD" --argjson ports "$ports_json" --arg data "$DATA_DIR" --arg stop "$STOPSIGNAL" \
    --arg hash "$hash" --arg pkgs "$(paste -sd' ' "$work/packages.txt")" '{
    architecture: "amd64", os: "linux", created: "1970-01-01T00:00:00Z",
    config: {
      User: $user, Env: $env, Entrypoint: ["docker-entrypoint.sh"], Cmd: $cmd, ExposedPorts: $ports,
      Volumes: {($data): {}}, WorkingDir: (if $data == "/data" then "/data" else "/" end), StopSignal: $stop,
      Labels: {"dev.berth.test.recipe": $hash, "dev.berth.test.packages": $pkgs}
    },
    rootfs: {type: "layers", diff_ids: [$diff]},
    history: [{created: "1970-01-01T00:00:00Z", created_by: "scripts/engine-images.sh"}]
  }' >"$work/config.json"
  config_sha=$(sha256sum "$work/config.json" | cut -d' ' -f1)
  mv "$work/config.json" "$work/archive/$config_sha.json"
  jq -n --arg config "$config_sha.json" --arg tag "$TAG" --arg layer "$layer_sha/layer.tar" \
    '[{Config: $config, RepoTags: [$tag], Layers: [$layer]}]' >"$work/archive/manifest.json"
  tar --mtime=@0 --numeric-owner -C "$work/archive" -cf "$out.tmp" manifest.json "$config_sha.json" "$layer_sha/layer.tar"
  mv "$out.tmp" "$out"
}

build_one() {
  local name=$1 out hash work start
  hash=$(recipe_hash "$name")
  load_recipe "$name"
  out="$CACHE/$name-$hash.tar"
  [[ -s $out ]] && return 0
  start=$(date +%s.%N)
  log "building $name ($TAG from $SUITE) -> $out"
  work=$(mktemp -d "$CACHE/work-$name.XXXXXX")
  build_rootfs "$name" "$work"
  write_archive "$name" "$work" "$out" "$hash"
  rm -rf "$work"
  # Older builds of the same image are of no further use.
  find "$CACHE" -maxdepth 1 -name "$name-*.tar" ! -name "$name-$hash.tar" -delete
  log "built $name in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", e - s}') s, $(du -m "$out" | cut -f1) MB"
}

expand_names() {
  local n
  if [[ $# -eq 0 || $1 == all ]]; then printf '%s\n' "${NAMES[@]}"; return; fi
  for n in "$@"; do load_recipe "$n"; echo "$n"; done
}

# One build at a time per cache (two beds or a CI run beside a developer share it; apt locks its lists too).
lock_cache() {
  mkdir -p "$CACHE"
  exec 9>>"$CACHE/build.lock"
  flock 9
}

cmd_build() {
  local n
  lock_cache
  for n in $(expand_names "$@"); do build_one "$n"; done
}

cmd_load() {
  local sock=${1:-} n have old
  [[ -S $sock ]] || die "usage: engine-images.sh load SOCKET NAME... (no Docker socket at '$sock')"
  shift
  lock_cache
  for n in $(expand_names "$@"); do
    build_one "$n"
    load_recipe "$n"
    have=$(docker -H "unix://$sock" image inspect -f '{{index .Config.Labels "dev.berth.test.recipe"}}' "$TAG" 2>/dev/null || true)
    [[ $have == "$(recipe_hash "$n")" ]] && continue
    old=$(docker -H "unix://$sock" image inspect -f '{{.Id}}' "$TAG" 2>/dev/null || true)
    docker -H "unix://$sock" load -q -i "$(tarball "$n")" >/dev/null
    # The build it replaces, unless a container still uses it.
    [[ -z $old ]] || docker -H "unix://$sock" rmi "$old" >/dev/null 2>&1 || true
  done
}

cmd_list() {
  local n t
  for n in "${NAMES[@]}"; do
    t=$(tarball "$n")
    load_recipe "$n"
    printf '%-14s %-28s %s\n' "$n" "$TAG" "$([[ -s $t ]] && echo "cached $t" || echo "not built")"
  done
}

[[ $(id -u) -eq 0 ]] || die "run as root"
for tool in apt-get apt-cache dpkg-deb jq docker; do
  command -v "$tool" >/dev/null || die "needs $tool"
done

case ${1:-} in
  list) cmd_list ;;
  build) shift; cmd_build "$@" ;;
  load) shift; cmd_load "$@" ;;
  tag) load_recipe "${2:-}"; echo "$TAG" ;;
  *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
