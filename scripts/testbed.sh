#!/usr/bin/env bash
# Berth test bed: N fake remote Docker hosts on this machine, each a network namespace with its own sshd
# (key-only) and its own dockerd, plus one Redis on loopback. Run as root.
#
#   scripts/testbed.sh up [N]     bring up hosts 1..N (default: as many as are up, else 2); idempotent
#   scripts/testbed.sh down       stop everything (by PID), unmount, delete the namespaces
#   scripts/testbed.sh status     say what is up; exit 0 only if the whole bed is healthy
#   scripts/testbed.sh env        print the env file
#   scripts/testbed.sh sshd start|stop|rekey|fingerprint|freeze|thaw I PORT [SSHD_CONFIG_LINE...]
#                                 an extra sshd in host I's namespace on PORT (not 22), for tests that
#                                 stop hosts or change host keys without disturbing the shared port-22 sshd;
#                                 start appends the given lines to its sshd_config (e.g. "RekeyLimit 64K");
#                                 freeze/thaw stop and continue it and its sessions (a hung host whose
#                                 kernel still acknowledges TCP)
#   scripts/testbed.sh dockerd freeze|thaw I   SIGSTOP/SIGCONT host I's dockerd (a hung Docker)
#   scripts/testbed.sh images [NAME...|all]      load database engine test images into every host (built by
#                                 scripts/engine-images.sh on first use and cached outside the repo); `up` also
#                                 loads those named in BERTH_ENGINE_IMAGES (space-separated, or "all"); none by default
#
# All state lives under <repo>/target/testbed (see docs/team-notes.md for the env file it writes).
# Host i: namespace berth-h<i>, veth bth-h<i> (10.213.<i>.1/24) <-> eth0 inside (10.213.<i>.2/24),
# dockerd on <state>/h<i>/docker.sock with --bip 10.214.<i>.1/24.
# Each sshd runs in a private mount namespace whose /run is <state>/h<i>/sshd-<port>/run, where
# docker.sock links to that host's dockerd socket: over SSH, /var/run/docker.sock is the host's own dockerd,
# exactly as on a real Docker host.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$REPO/target/testbed"
CACHE="$STATE/cache"
ENV_FILE="$STATE/testbed.env"
IMAGE="berth-test/httpd:1"
APP_PORT=8080

log() { echo "testbed: $*" >&2; }
die() { echo "testbed: ERROR: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root"

host_dir() { echo "$STATE/h$1"; }
# BERTH_TESTBED_SLOT (0-9, default 0) shifts every global name and subnet, so a second bed (a CI run in a fresh
# clone) can run beside a developer's: host i uses index g = i + 10*slot.
SLOT=${BERTH_TESTBED_SLOT:-0}
[[ $SLOT =~ ^[0-9]$ ]] || die "BERTH_TESTBED_SLOT must be a digit"
g() { echo $(( $1 + 10 * SLOT )); }
netns() { echo "berth-h$(g "$1")"; }
host_addr() { echo "10.213.$(g "$1").2"; }

# --- processes, by PID only -------------------------------------------------------------------------

# pid_alive PIDFILE EXPECTED-SUBSTRING: the pid in the file runs, and its command line mentions the
# substring (guards against a recycled PID).
pid_alive() {
  local f=$1 want=$2 pid
  [[ -s $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$want"
}

descendants() {
  local c
  for c in $(pgrep -P "$1" 2>/dev/null || true); do
    descendants "$c"
    echo "$c"
  done
}

# stop_pid PID [TIMEOUT_S]: TERM, wait, then KILL.
stop_pid() {
  local pid=$1 timeout=${2:-20} i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < timeout * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# --- packages ---------------------------------------------------------------------------------------

ensure_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  [[ -x /bin/busybox ]] || missing+=(busybox-static)
  [[ -x /usr/sbin/sshd ]] || missing+=(openssh-server)
  command -v ip >/dev/null || missing+=(iproute2)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v ssh-keygen >/dev/null || missing+=(openssh-client)
  command -v nsenter >/dev/null || missing+=(util-linux)
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  # Debian's docker.io brings a CLI; any docker CLI speaking API 1.41 will do.
  command -v docker >/dev/null || die "no docker CLI found"
}

# --- keys -------------------------------------------------------------------------------------------

ensure_client_key() {
  mkdir -p "$STATE"
  if [[ ! -s $STATE/id_ed25519 ]]; then
    ssh-keygen -q -t ed25519 -N '' -C berth-testbed -f "$STATE/id_ed25519"
  fi
  chmod 600 "$STATE/id_ed25519"
  cp "$STATE/id_ed25519.pub" "$STATE/authorized_keys"
}

fingerprint_of() { ssh-keygen -lf "$1.pub" -E sha256 | awk '{print $2}'; }

# --- the app image ----------------------------------------------------------------------------------

ensure_image_tar() {
  local tar="$CACHE/httpd-rootfs.tar"
  [[ -s $tar ]] && return 0
  log "building the busybox httpd rootfs"
  local root="$CACHE/rootfs"
  rm -rf "$root"
  mkdir -p "$root"/{bin,www,tmp,etc}
  cp /bin/busybox "$root/bin/busybox"
  local a
  for a in $(/bin/busybox --list); do
    [[ $a == busybox ]] || ln -sf busybox "$root/bin/$a"
  done
  echo '<html><body><h1>berth-test httpd</h1></body></html>' >"$root/www/index.html"
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
  chmod 1777 "$root/tmp"
  tar -C "$root" -cf "$tar.tmp" .
  mv "$tar.tmp" "$tar"
  rm -rf "$root"
}

dk() { local i=$1; shift; docker -H "unix://$(host_dir "$i")/docker.sock" "$@"; }

ensure_image() {
  local i=$1
  dk "$i" image inspect "$IMAGE" >/dev/null 2>&1 && return 0
  dk "$i" import \
    --change "CMD [\"/bin/busybox\",\"httpd\",\"-f\",\"-p\",\"$APP_PORT\",\"-h\",\"/www\"]" \
    --change "EXPOSE $APP_PORT/tcp" \
    --change "ENV PATH=/bin" \
    "$CACHE/httpd-rootfs.tar" "$IMAGE" >/dev/null
}

# --- one host ---------------------------------------------------------------------------------------

ensure_netns() {
  local i=$1 ns veth
  ns=$(netns "$i")
  veth="bth-h$(g "$i")"
  if ! ip netns list | grep -qw "^$ns"; then
    ip netns add "$ns"
  fi
  ip netns exec "$ns" ip link set lo up
  if ! ip link show "$veth" >/dev/null 2>&1; then
    ip link add "$veth" type veth peer name eth0 netns "$ns"
  fi
  ip addr replace "10.213.$(g "$i").1/24" dev "$veth"
  ip link set "$veth" up
  ip netns exec "$ns" ip addr replace "$(host_addr "$i")/24" dev eth0
  ip netns exec "$ns" ip link set eth0 up
  ip netns exec "$ns" ip route replace default via "10.213.$(g "$i").1" 2>/dev/null || true
}

ensure_dockerd() {
  local i=$1 d sock
  d=$(host_dir "$i")
  sock="$d/docker.sock"
  mkdir -p "$d/data" "$d/exec"
  if ! pid_alive "$d/dockerd.pid" "$sock"; then
    rm -f "$d/dockerd.pid" "$sock"
    # `ip netns exec` fails for dockerd ("Devices cgroup isn't mounted"); nsenter into the net namespace works.
    setsid nsenter --net="/run/netns/$(netns "$i")" dockerd \
      --host "unix://$sock" --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/dockerd.pid" \
      --bip "10.214.$(g "$i").1/24" --shutdown-timeout 2 \
      </dev/null >>"$d/dockerd.log" 2>&1 &
  fi
  local t
  for ((t = 0; t < 300; t++)); do
    if [[ -S $sock ]] && dk "$i" version >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  tail -20 "$d/dockerd.log" >&2 || true
  die "dockerd of host $i did not come up (log: $d/dockerd.log)"
}

# sshd_dir I PORT
sshd_dir() { echo "$(host_dir "$1")/sshd-$2"; }

# write_sshd_config I PORT [LINE...]: extra LINEs (e.g. "RekeyLimit 64K") are appended to the config.
write_sshd_config() {
  local i=$1 port=$2 s
  s=$(sshd_dir "$i" "$port")
  cat >"$s/sshd_config" <<EOF
Port $port
ListenAddress 0.0.0.0
HostKey $s/ssh_host_ed25519_key
PidFile $s/sshd.pid
AuthorizedKeysFile $STATE/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowStreamLocalForwarding yes
AllowTcpForwarding yes
X11Forwarding no
PrintMotd no
MaxStartups 100:30:200
LogLevel INFO
Subsystem sftp internal-sftp
SetEnv HOME=$STATE/home
EOF
  local line
  for line in "${@:3}"; do echo "$line" >>"$s/sshd_config"; done
  # Sessions get an empty HOME: root's ~/.bashrc on this machine runs `pyenv init`, whose rehash lock is left
  # behind when a test kills a session (stops an sshd, times an exec out); every later exec then waits 60 s.
  mkdir -p "$STATE/home"
}

# start_sshd I PORT [LINE...]: idempotent (an sshd already running keeps its config).
start_sshd() {
  local i=$1 port=$2 s
  s=$(sshd_dir "$i" "$port")
  mkdir -p "$s/run/sshd"
  chmod 755 "$s/run/sshd"
  [[ -s $s/ssh_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C "berth-h$i" -f "$s/ssh_host_ed25519_key"
  ln -sfn "$(host_dir "$i")/docker.sock" "$s/run/docker.sock"
  write_sshd_config "$i" "$port" "${@:3}"
  pid_alive "$s/sshd.pid" "$s/sshd_config" && return 0
  rm -f "$s/sshd.pid"
  /usr/sbin/sshd -t -f "$s/sshd_config" || die "bad sshd config $s/sshd_config"
  # A private mount namespace: its /run is this sshd's run dir (privsep dir + docker.sock link).
  # The copies of /run/netns/* it inherits are dropped so that they do not pin the namespaces.
  nsenter --net="/run/netns/$(netns "$i")" unshare --mount --propagation private sh -c '
    for m in $(awk '"'"'$2 ~ "^/run/netns/" {print $2}'"'"' /proc/self/mounts | sort -r); do umount -l "$m" 2>/dev/null || true; done
    mount --bind "$1" /run
    exec /usr/sbin/sshd -f "$2" -E "$3"' sh "$s/run" "$s/sshd_config" "$s/sshd.log" </dev/null
  local t
  for ((t = 0; t < 100; t++)); do
    if pid_alive "$s/sshd.pid" "$s/sshd_config" \
      && ip netns exec "$(netns "$i")" bash -c "</dev/tcp/127.0.0.1/$port" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  die "sshd of host $i on port $port did not come up (log: $s/sshd.log)"
}

# stop_sshd I PORT: the listener and every connection it serves (a host going down drops them all).
stop_sshd() {
  local i=$1 port=$2 s pid p
  s=$(sshd_dir "$i" "$port")
  if pid_alive "$s/sshd.pid" "$s/sshd_config"; then
    pid=$(<"$s/sshd.pid")
    for p in $(descendants "$pid"); do kill -KILL "$p" 2>/dev/null || true; done
    kill -CONT "$pid" 2>/dev/null || true   # a frozen listener handles TERM only once it runs again
    stop_pid "$pid" 5
  fi
  rm -f "$s/sshd.pid"
}

# signal_sshd I PORT SIGNAL: the listener and every process serving its connections, the listener first.
signal_sshd() {
  local i=$1 port=$2 sig=$3 s pid p
  s=$(sshd_dir "$i" "$port")
  pid_alive "$s/sshd.pid" "$s/sshd_config" || die "no sshd on host $i port $port"
  pid=$(<"$s/sshd.pid")
  kill "-$sig" "$pid"
  for p in $(descendants "$pid"); do kill "-$sig" "$p" 2>/dev/null || true; done
}

host_ok() {
  local i=$1 d
  d=$(host_dir "$i")
  ip netns list | grep -qw "^$(netns "$i")" \
    && pid_alive "$d/dockerd.pid" "$d/docker.sock" \
    && pid_alive "$d/sshd-22/sshd.pid" "$d/sshd-22/sshd_config"
}

up_host() {
  local i=$1
  ensure_netns "$i"
  ensure_dockerd "$i"
  ensure_image "$i"
  start_sshd "$i" 22
}

down_host() {
  local i=$1 d ns s p m
  d=$(host_dir "$i")
  ns=$(netns "$i")
  for s in "$d"/sshd-*; do
    [[ -d $s ]] && stop_sshd "$i" "${s##*/sshd-}"
  done
  if pid_alive "$d/dockerd.pid" "$d/docker.sock"; then
    kill -CONT "$(<"$d/dockerd.pid")" 2>/dev/null || true   # left frozen by a test that did not finish
    # Kill the containers first: dockerd would give each one its stop timeout (10 s) on the way down.
    local ids
    ids=$(dk "$i" ps -q 2>/dev/null || true)
    [[ -z $ids ]] || dk "$i" kill $ids >/dev/null 2>&1 || true
    stop_pid "$(<"$d/dockerd.pid")" 30
  fi
  # Anything left in the namespace (containerd shims, stray sessions) is ours: stop it by PID.
  if ip netns list | grep -qw "^$ns"; then
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  fi
  # dockerd's nsfs and overlay mounts must go before the namespace and its veth can.
  for m in $(awk '{print $2}' /proc/self/mounts | grep -F "$d/" | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  if ip netns list | grep -qw "^$ns"; then ip netns del "$ns"; fi
  ip link del "bth-h$(g "$i")" 2>/dev/null || true
  rm -rf "$d"
}

# --- redis ------------------------------------------------------------------------------------------

free_port() {
  local p
  for ((p = 16379; p < 16500; p++)); do
    if ! ss -Hltn "sport = :$p" | grep -q .; then echo "$p"; return 0; fi
  done
  die "no free port for redis"
}

ensure_redis() {
  mkdir -p "$STATE/redis"
  if pid_alive "$STATE/redis.pid" redis-server && [[ -s $STATE/redis.port ]]; then return 0; fi
  local port
  port=$(free_port)
  rm -f "$STATE/redis.pid"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --dir "$STATE/redis" --pidfile "$STATE/redis.pid" --logfile "$STATE/redis.log" >/dev/null
  echo "$port" >"$STATE/redis.port"
  local t
  for ((t = 0; t < 100; t++)); do
    redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  die "redis did not come up (log: $STATE/redis.log)"
}

stop_redis() {
  if pid_alive "$STATE/redis.pid" redis-server; then stop_pid "$(<"$STATE/redis.pid")" 10; fi
  rm -f "$STATE/redis.pid" "$STATE/redis.port" "$STATE/redis.log"
  rm -rf "$STATE/redis"
}

# --- the env file -----------------------------------------------------------------------------------

write_env() {
  local n=$1 i tmp
  tmp="$ENV_FILE.tmp"
  {
    echo "TESTBED_HOSTS=$n"
    for ((i = 1; i <= n; i++)); do
      echo "TESTBED_HOST_${i}_ADDRESS=$(host_addr "$i")"
      echo "TESTBED_HOST_${i}_PORT=22"
      echo "TESTBED_HOST_${i}_USER=root"
      echo "TESTBED_HOST_${i}_KEY=$STATE/id_ed25519"
      echo "TESTBED_HOST_${i}_HOST_KEY_FINGERPRINT=$(fingerprint_of "$(sshd_dir "$i" 22)/ssh_host_ed25519_key")"
      echo "TESTBED_HOST_${i}_DOCKER_SOCK=$(host_dir "$i")/docker.sock"
      echo "TESTBED_HOST_${i}_REMOTE_DOCKER_SOCK=/var/run/docker.sock"
      echo "TESTBED_HOST_${i}_NETNS=$(netns "$i")"
    done
    echo "TESTBED_APP_IMAGE=$IMAGE"
    echo "TESTBED_APP_PORT=$APP_PORT"
    echo "TESTBED_REDIS_URL=redis://127.0.0.1:$(<"$STATE/redis.port")"
    echo "TESTBED_SCRIPT=$REPO/scripts/testbed.sh"
    echo "TESTBED_SLOT=$SLOT"
  } >"$tmp"
  mv "$tmp" "$ENV_FILE"
}

# --- commands ---------------------------------------------------------------------------------------

hosts_present() {
  local d n=0
  for d in "$STATE"/h*; do
    [[ -d $d && ${d##*/h} =~ ^[0-9]+$ ]] && ((${d##*/h} > n)) && n=${d##*/h}
  done
  echo "$n"
}

cmd_up() {
  local n=${1:-}
  if [[ -z $n ]]; then
    n=$(hosts_present)
    ((n > 0)) || n=2
  fi
  [[ $n =~ ^[0-9]+$ ]] && ((n >= 1 && n <= 50)) || die "N must be 1..50"
  ((SLOT == 0 || n <= 9)) || die "with BERTH_TESTBED_SLOT set, N must be 1..9 (each slot has ten indexes)"
  ensure_packages
  mkdir -p "$STATE" "$CACHE"
  ensure_client_key
  ensure_image_tar
  mkdir -p /run/sshd
  local i
  for ((i = 1; i <= n; i++)); do up_host "$i"; done
  # Hosts beyond N (from an earlier, bigger bed) go.
  local extra
  extra=$(hosts_present)
  for ((i = n + 1; i <= extra; i++)); do down_host "$i"; done
  ensure_redis
  write_env "$n"
  [[ -z ${BERTH_ENGINE_IMAGES:-} ]] || cmd_images $BERTH_ENGINE_IMAGES
  log "up: $n host(s); env file $ENV_FILE"
}

# images NAME...: the engine test images, into every host's dockerd (a host that has the same build skips it).
cmd_images() {
  local n i
  (($# > 0)) || die "usage: testbed.sh images NAME...|all (names: $("$REPO/scripts/engine-images.sh" list | awk '{printf "%s ", $1}'))"
  n=$(hosts_present)
  ((n > 0)) || die "the bed is down: run testbed.sh up first"
  # Build once, then load host by host.
  "$REPO/scripts/engine-images.sh" build "$@"
  for ((i = 1; i <= n; i++)); do
    "$REPO/scripts/engine-images.sh" load "$(host_dir "$i")/docker.sock" "$@"
  done
  log "engine images on $n host(s): $*"
}

cmd_down() {
  local n i
  n=$(hosts_present)
  # Namespaces left without a state dir (e.g. the state was wiped) are cleaned up too.
  local ns
  # Only this slot's namespaces (indexes 10*slot+1 .. 10*slot+9): another slot's bed is someone else's.
  for ns in $(ip netns list | awk '{print $1}' | grep -E '^berth-h[0-9]+$' || true); do
    i=$(( ${ns#berth-h} - 10 * SLOT ))
    ((i >= 1 && i <= 9 && i > n)) && n=$i
  done
  for ((i = 1; i <= n; i++)); do down_host "$i"; done
  stop_redis
  rm -f "$ENV_FILE"
  log "down"
}

cmd_status() {
  local n i ok=0
  n=$(hosts_present)
  if ((n == 0)); then echo "test bed: down"; return 1; fi
  for ((i = 1; i <= n; i++)); do
    if host_ok "$i"; then
      echo "host $i: up ($(host_addr "$i"):22, netns $(netns "$i"))"
    else
      echo "host $i: BROKEN"
      ok=1
    fi
  done
  if pid_alive "$STATE/redis.pid" redis-server; then
    echo "redis: up (127.0.0.1:$(<"$STATE/redis.port"))"
  else
    echo "redis: DOWN"
    ok=1
  fi
  [[ -s $ENV_FILE ]] && echo "env file: $ENV_FILE" || { echo "env file: missing"; ok=1; }
  return $ok
}

cmd_sshd() {
  local action=${1:-} i=${2:-} port=${3:-}
  [[ $i =~ ^[0-9]+$ && $port =~ ^[0-9]+$ ]] || die "usage: testbed.sh sshd start|stop|rekey|fingerprint|freeze|thaw I PORT [SSHD_CONFIG_LINE...]"
  [[ $port != 22 || $action == fingerprint ]] || die "port 22 is the shared sshd; use another port"
  [[ -d $(host_dir "$i") ]] || die "host $i is not up"
  local s
  s=$(sshd_dir "$i" "$port")
  case $action in
    start) start_sshd "$i" "$port" "${@:4}" ;;
    stop) stop_sshd "$i" "$port" ;;
    rekey)
      stop_sshd "$i" "$port"
      rm -f "$s/ssh_host_ed25519_key" "$s/ssh_host_ed25519_key.pub"
      start_sshd "$i" "$port"
      ;;
    fingerprint) ;;
    freeze) signal_sshd "$i" "$port" STOP ;;
    thaw) signal_sshd "$i" "$port" CONT ;;
    *) die "unknown sshd action: $action" ;;
  esac
  [[ $action == stop || $action == freeze || $action == thaw ]] || fingerprint_of "$s/ssh_host_ed25519_key"
}

# dockerd freeze|thaw I: SIGSTOP/SIGCONT host I's dockerd (a hung Docker: its socket still accepts connections,
# nothing answers). Containers keep running (containerd is not stopped).
cmd_dockerd() {
  local action=${1:-} i=${2:-} d
  [[ $i =~ ^[0-9]+$ ]] || die "usage: testbed.sh dockerd freeze|thaw I"
  d=$(host_dir "$i")
  pid_alive "$d/dockerd.pid" "$d/docker.sock" || die "host $i has no dockerd running"
  case $action in
    freeze) kill -STOP "$(<"$d/dockerd.pid")" ;;
    thaw) kill -CONT "$(<"$d/dockerd.pid")" ;;
    *) die "unknown dockerd action: $action" ;;
  esac
}

case ${1:-} in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cat "$ENV_FILE" ;;
  sshd) shift; cmd_sshd "$@" ;;
  dockerd) shift; cmd_dockerd "$@" ;;
  images) shift; cmd_images "$@" ;;
  *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
