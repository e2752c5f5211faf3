#!/usr/bin/env bash
# Peak resident memory of `proviso check` as the number of manifests grows.
# The line formats (short, human, github) write each file's findings as the
# check goes, so memory should stay flat; document formats (json, sarif,
# junit) hold the whole report.
#
#   bash benches/memory.sh            # 1000, 4000 and 16000 manifests
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seeds=(examples/facebook-2018/*.yaml examples/compliant/*.yaml)
for n in 1000 4000 16000; do
  dir="$work/$n"
  mkdir -p "$dir"
  for ((i = 0; i < n; i++)); do
    seed=${seeds[$((i % ${#seeds[@]}))]}
    sed "0,/  id: /s//  id: p$i-/" "$seed" > "$dir/m$i.yaml"
  done
  for format in short json; do
    /usr/bin/time -f "$n manifests, --format $format: peak RSS %M KiB, %e s" \
      ./target/release/proviso check "$dir" --format "$format" --as-of 2018-12-18 \
      > /dev/null 2> "$work/err" || true
    tail -1 "$work/err"
  done
done
