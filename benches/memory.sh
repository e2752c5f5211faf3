#!/usr/bin/env bash
# Peak resident memory of `proviso check` as the number of manifests grows.
# Every format is written as the check goes and discovery holds paths
# compactly, so memory should stay flat (the target is 32 MiB at 20,000 and
# at 200,000 manifests). JUnit keeps each suite's cases in a temporary file
# until the counts are known: it needs the document's size on $TMPDIR.
#
#   bash benches/memory.sh                 # 20000 and 200000 manifests
#   bash benches/memory.sh 1000 4000       # other sizes
# The corpus goes to a temporary directory ($TMPDIR): 200,000 manifests
# take about 800 MB there.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/proviso
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(20000 200000)
seeds=(examples/facebook-2018/*.yaml examples/compliant/*.yaml)
made=0
dir="$work/manifests"
mkdir -p "$dir"
for n in "${sizes[@]}"; do
  # The corpus grows from one size to the next.
  for ((i = made; i < n; i++)); do
    seed=${seeds[$((i % ${#seeds[@]}))]}
    sed "0,/  id: /s//  id: p$i-/" "$seed" > "$dir/m$i.yaml"
  done
  made=$n
  for format in short json sarif junit; do
    /usr/bin/time -f "$n manifests, --format $format: peak RSS %M KiB, %e s" \
      "$bin" check "$dir" --format "$format" --as-of 2018-12-18 \
      > /dev/null 2> "$work/err" || true
    tail -1 "$work/err"
  done
done
