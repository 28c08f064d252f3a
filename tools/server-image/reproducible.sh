#!/usr/bin/env bash
# Checks that bin/server-image is reproducible: builds the image twice from the same distribution
# (hangar-dist/target/lib) and JDK, each time with a fresh, empty base cache (so the jlink'ed JRE and
# the base are made twice too), and compares the image digests and the image.tar bytes.
#
#   tools/server-image/reproducible.sh      (build the distribution first, or bin/server-image does)
#
# Prints both digests and the two builds' times; exit 0 when both digests and both archives are
# equal, 1 otherwise (with the differing layer entries when tar can list them). Leaves nothing behind.
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
work=$(mktemp -d /tmp/hangar-image-repro.XXXXXX)
trap 'rm -rf "$work"' EXIT
for i in 1 2; do
  start=$SECONDS
  HANGAR_IMAGE_CACHE="$work/cache$i" "$ROOT/bin/server-image" --no-build --out "$work/out$i" >/dev/null
  echo "reproducible: build $i (cold base): $(cat "$work/out$i/digest") in $((SECONDS - start)) s"
done
if [[ "$(cat "$work/out1/digest")" == "$(cat "$work/out2/digest")" ]] && cmp -s "$work/out1/image.tar" "$work/out2/image.tar"; then
  echo "reproducible: ok, same digest and same image.tar bytes ($(($(stat -c %s "$work/out1/image.tar") / 1048576)) MiB)"
  exit 0
fi
echo "reproducible: FAILED, the two builds differ" >&2
for i in 1 2; do
  mkdir "$work/l$i"
  tar -xf "$work/out$i/image.tar" -C "$work/l$i"
  find "$work/l$i" -name layer.tar -exec tar -tvf {} \; | sort >"$work/list$i"
done
diff "$work/list1" "$work/list2" | head -40 >&2 || true
exit 1
