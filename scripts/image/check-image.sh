#!/usr/bin/env bash
# Checks an operator image tarball (Jib's docker-archive) without a Docker daemon: its config must start
# dev.berth.controller.Main with the image's own Java, as a non-root numeric user, exposing 8080/tcp, and every
# layer the manifest names must be in the archive with the digest the config lists.
#
#   scripts/image/check-image.sh [controller/target/jib-image.tar]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TAR=${1:-$ROOT/controller/target/jib-image.tar}
[[ -s "$TAR" ]] || { echo "no image tarball at $TAR (build it: scripts/image/build.sh)" >&2; exit 1; }
command -v jq >/dev/null || { echo "needs jq (apt-get install -y jq)" >&2; exit 1; }

DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
tar -C "$DIR" -xf "$TAR"
MANIFEST=$DIR/manifest.json
CONFIG=$DIR/$(jq -r '.[0].Config' "$MANIFEST")

failures=0
check() { # description, jq filter that must yield true on the config
  if [[ "$(jq -r "$2" "$CONFIG")" == "true" ]]; then
    echo "ok   $1"
  else
    echo "FAIL $1" >&2
    failures=$((failures + 1))
  fi
}

check "tagged berth/operator"            '"'"$(jq -r '.[0].RepoTags[0]' "$MANIFEST")"'" | startswith("berth/operator:")'
check "entrypoint runs java"             '.config.Entrypoint[0] == "java"'
check "main class dev.berth.controller.Main" '.config.Entrypoint[-1] == "dev.berth.controller.Main"'
check "Java found on PATH in /opt/java"  '.config.Env | any(. == "JAVA_HOME=/opt/java") and any(startswith("PATH=/opt/java/bin:"))'
check "user is numeric and not root"     '.config.User | test("^[1-9][0-9]*(:[1-9][0-9]*)?$")'
check "exposes 8080/tcp"                 '.config.ExposedPorts | has("8080/tcp")'
check "linux/amd64"                      '.os == "linux" and .architecture == "amd64"'

# Layers: as many as diff_ids, each present; the first is the base image's (uncompressed digest = diff_id).
mapfile -t layers < <(jq -r '.[0].Layers[]' "$MANIFEST")
mapfile -t diffs < <(jq -r '.rootfs.diff_ids[]' "$CONFIG")
if [[ ${#layers[@]} -ne ${#diffs[@]} ]]; then
  echo "FAIL ${#layers[@]} layers but ${#diffs[@]} diff_ids" >&2; failures=$((failures + 1))
fi
for i in "${!layers[@]}"; do
  file=$DIR/${layers[$i]}
  if [[ ! -s "$file" ]]; then
    echo "FAIL layer ${layers[$i]} missing" >&2; failures=$((failures + 1)); continue
  fi
  if [[ "$file" == *.gz ]]; then digest=$(gzip -dc "$file" | sha256sum | cut -d' ' -f1); else digest=$(sha256sum < "$file" | cut -d' ' -f1); fi
  if [[ "sha256:$digest" != "${diffs[$i]}" ]]; then
    echo "FAIL layer $i digest sha256:$digest != ${diffs[$i]}" >&2; failures=$((failures + 1))
  fi
done
echo "ok   ${#layers[@]} layers match their diff_ids"

# The application and the runtime are where the entrypoint expects them.
listing=$DIR/listing.txt
for f in "${layers[@]}"; do tar -tzf "$DIR/$f" 2>/dev/null || tar -tf "$DIR/$f"; done > "$listing"
for path in opt/java/bin/java opt/java/lib/server/libjvm.so lib/x86_64-linux-gnu/libc.so.6 \
            usr/lib/x86_64-linux-gnu/libstdc++.so.6 app/jib-classpath-file etc/passwd; do
  if grep -qxF -e "$path" -e "./$path" "$listing"; then echo "ok   /$path"; else echo "FAIL /$path not in any layer" >&2; failures=$((failures + 1)); fi
done
grep -qE '^(\./)?app/classes/dev/berth/controller/' "$listing" \
  && echo "ok   operator classes in /app/classes" \
  || { echo "FAIL no operator classes under /app/classes" >&2; failures=$((failures + 1)); }

if [[ $failures -gt 0 ]]; then
  echo "$failures check(s) failed for $TAR" >&2
  exit 1
fi
echo "image OK: $TAR ($(du -h "$TAR" | cut -f1))"
