#!/usr/bin/env bash
# `citelock verify` against `sha256sum -c` over the same ~1 GiB archive of mixed
# object sizes, in the same run (both read from the page cache).
# Usage: bash benches/verify.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q
bin=$PWD/target/release/citelock
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
"$bin" -C "$d" -q init
cd "$d/archive"
make_objects() { # count, size in KiB
  for _ in $(seq "$1"); do
    head -c "$(( $2 * 1024 ))" /dev/urandom > obj.tmp
    h=$(sha256sum obj.tmp | cut -d' ' -f1)
    mkdir -p "objects/sha256/${h:0:2}"
    mv obj.tmp "objects/sha256/${h:0:2}/${h:2}"
    echo "$h  objects/sha256/${h:0:2}/${h:2}" >> manifest-sha256.txt
  done
}
make_objects 4 131072
make_objects 16 16384
make_objects 256 1024
make_objects 1024 64
sort -o manifest-sha256.txt manifest-sha256.txt
total=$(du -sb objects | cut -f1)
echo "objects: $(wc -l < manifest-sha256.txt), $(( total / 1048576 )) MiB"
cat objects/sha256/*/* > /dev/null   # warm the page cache for both
run() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o ../time "$@" > /dev/null 2>&1 || true
  read -r secs kb < ../time
  printf '%-22s %6.2f s  %7.0f MB/s  %6.1f MB peak\n' "$label" "$secs" "$(echo "$total/1000000/$secs" | bc -l)" "$(echo "$kb/1024" | bc -l)"
  echo "$secs" > "../$label.secs"
}
run sha256sum sha256sum -c --quiet manifest-sha256.txt
run citelock "$bin" -C "$d" -q verify
echo "ratio: citelock is $(echo "$(cat ../sha256sum.secs)/$(cat ../citelock.secs)" | bc -l | cut -c1-4)x sha256sum's throughput"
command -v openssl >/dev/null && openssl speed -seconds 1 -evp sha256 2>/dev/null | tail -1 || true
