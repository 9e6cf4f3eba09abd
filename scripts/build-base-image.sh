#!/usr/bin/env bash
# Builds the operator's base image without a Docker daemon or a registry: a Docker-archive tarball (the format of
# `docker save`, which Jib reads as `tar://…`) holding glibc, libstdc++, libgcc and zlib from Debian's .deb files
# (apt-get download + dpkg -x) and a jlink'ed Java 17 runtime in /opt/java. One layer, no package manager; the only
# program besides Java is busybox as /bin/sh, because the embedded PostgreSQL's initdb starts postgres through popen().
#
#   scripts/build-base-image.sh [--force]     writes target/image/berth-base.tar (repository root)
#
# Env: JAVA_HOME (default: the JDK of the `javac` on PATH; must be 17 with jmods/), BASE_IMAGE_OUT (output path),
#      BASE_IMAGE_TAG (default berth/base:17). Re-runs are skipped while the output exists (use --force).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${BASE_IMAGE_OUT:-$ROOT/target/image/berth-base.tar}
TAG=${BASE_IMAGE_TAG:-berth/base:17}
WORK=$(dirname "$OUT")/base-work
RUNTIME_UID=65532
# libc-bin only for its C.UTF-8 locale (LANG=C.UTF-8: Java 17's default charset, and initdb wants a valid locale).
DEBS=(libc6 libc-bin libgcc-s1 libstdc++6 zlib1g busybox-static)
# The JDK modules the operator and its libraries use (fabric8 on the JDK HTTP client, Netty via lettuce, JDBC,
# JNDI for logback/PostgreSQL, EC and PKCS#11 crypto for sshj and TLS, the JDK's HTTP server, JFR and JMX).
MODULES=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.management.rmi,\
java.naming,java.net.http,java.prefs,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,\
java.sql.rowset,java.transaction.xa,java.xml,java.xml.crypto,jdk.charsets,jdk.crypto.cryptoki,jdk.crypto.ec,\
jdk.httpserver,jdk.jfr,jdk.management,jdk.naming.dns,jdk.net,jdk.security.auth,jdk.unsupported,jdk.zipfs

if [[ "${1:-}" != "--force" && -s "$OUT" ]]; then
  echo "base image exists: $OUT (--force to rebuild)"
  exit 0
fi

if [[ -z "${JAVA_HOME:-}" ]]; then
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
fi
[[ -d "$JAVA_HOME/jmods" ]] || { echo "no $JAVA_HOME/jmods: set JAVA_HOME to a full JDK 17" >&2; exit 1; }
"$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "17' || { echo "$JAVA_HOME is not Java 17" >&2; exit 1; }
for tool in apt-get dpkg tar sha256sum jq; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }
done

rm -rf "$WORK"
mkdir -p "$WORK/debs" "$WORK/rootfs" "$WORK/archive"
ROOTFS=$WORK/rootfs

echo "== Debian packages: ${DEBS[*]}"
# As root, apt would hand the download to its _apt user, which may not write here.
(cd "$WORK/debs" && apt-get -q -o APT::Sandbox::User="$(id -un)" download "${DEBS[@]}" >/dev/null)
for deb in "$WORK"/debs/*.deb; do
  dpkg -x "$deb" "$ROOTFS"
  dpkg-deb -W --showformat='${Package}=${Version}\n' "$deb" >> "$WORK/packages.txt"
done
# Documentation, locales, gconv modules and debugger scripts: nothing the JVM loads.
rm -rf "$ROOTFS"/usr/share "$ROOTFS"/usr/lib/x86_64-linux-gnu/gconv "$ROOTFS"/usr/libexec "$ROOTFS"/sbin \
       "$ROOTFS"/usr/sbin "$ROOTFS"/usr/bin "$ROOTFS"/etc/ld.so.conf.d
ln -s busybox "$ROOTFS/bin/sh"
mkdir -p "$ROOTFS/usr/share/doc/berth-base"
cp "$WORK/packages.txt" "$ROOTFS/usr/share/doc/berth-base/debian-packages.txt"

echo "== jlink Java runtime from $JAVA_HOME"
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
  --compress=2 --output "$ROOTFS/opt/java"
# Debian's JDK points cacerts and its security files at /etc: copy the files themselves into the runtime.
find "$ROOTFS/opt/java" -type l | while read -r link; do
  target=$(readlink -f "$link")
  rm "$link"
  cp "$target" "$link"
done
"$ROOTFS/opt/java/bin/java" -version 2>&1 | head -1

echo "== users, directories"
mkdir -p "$ROOTFS/etc" "$ROOTFS/tmp" "$ROOTFS/var/lib/berth"
cat > "$ROOTFS/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/sbin/nologin
berth:x:$RUNTIME_UID:$RUNTIME_UID:berth:/var/lib/berth:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
PASSWD
cat > "$ROOTFS/etc/group" <<GROUP
root:x:0:
berth:x:$RUNTIME_UID:
nogroup:x:65534:
GROUP
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$ROOTFS/etc/nsswitch.conf"
chmod 1777 "$ROOTFS/tmp"
chown "$RUNTIME_UID:$RUNTIME_UID" "$ROOTFS/var/lib/berth"

echo "== Docker archive"
# Reproducible layer: sorted names, fixed times, numeric owners.
tar --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 -C "$ROOTFS" -cf "$WORK/layer-root.tar" \
  --exclude=./var/lib/berth .
tar --sort=name --mtime=@0 --numeric-owner --owner=$RUNTIME_UID --group=$RUNTIME_UID -C "$ROOTFS" \
  -rf "$WORK/layer-root.tar" --no-recursion ./var/lib/berth
LAYER_SHA=$(sha256sum "$WORK/layer-root.tar" | cut -d' ' -f1)
mkdir -p "$WORK/archive/$LAYER_SHA"
mv "$WORK/layer-root.tar" "$WORK/archive/$LAYER_SHA/layer.tar"

jq -n --arg diff "sha256:$LAYER_SHA" --arg user "$RUNTIME_UID:$RUNTIME_UID" --arg pkgs "$(paste -sd, "$WORK/packages.txt")" '{
  architecture: "amd64",
  os: "linux",
  created: "1970-01-01T00:00:00Z",
  config: {
    Env: ["PATH=/opt/java/bin:/usr/local/bin:/usr/bin:/bin", "JAVA_HOME=/opt/java", "LANG=C.UTF-8"],
    User: $user,
    WorkingDir: "/",
    Labels: {"dev.berth.base.debian-packages": $pkgs}
  },
  rootfs: {type: "layers", diff_ids: [$diff]},
  history: [{created: "1970-01-01T00:00:00Z", created_by: "scripts/build-base-image.sh"}]
}' > "$WORK/config.json"
CONFIG_SHA=$(sha256sum "$WORK/config.json" | cut -d' ' -f1)
mv "$WORK/config.json" "$WORK/archive/$CONFIG_SHA.json"
jq -n --arg config "$CONFIG_SHA.json" --arg tag "$TAG" --arg layer "$LAYER_SHA/layer.tar" \
  '[{Config: $config, RepoTags: [$tag], Layers: [$layer]}]' > "$WORK/archive/manifest.json"

mkdir -p "$(dirname "$OUT")"
# Entries named without a leading "./": Jib refuses to unpack a "./" entry.
tar --mtime=@0 --numeric-owner --owner=0 --group=0 -C "$WORK/archive" -cf "$OUT.tmp" \
  manifest.json "$CONFIG_SHA.json" "$LAYER_SHA/layer.tar"
mv "$OUT.tmp" "$OUT"
rm -rf "$WORK"
echo "== wrote $OUT ($(du -h "$OUT" | cut -f1), $TAG)"
