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
# shellcheck source=benches/lib.sh
source "$(dirname "$0")/lib.sh"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(20000 200000)
dir="$work/manifests"
for n in "${sizes[@]}"; do
  grow_corpus "$dir" "$n"
  for format in short json sarif junit; do
    /usr/bin/time -f "$n manifests, --format $format: peak RSS %M KiB, %e s" \
      "$bin" check "$dir" --format "$format" --as-of 2018-12-18 \
      > /dev/null 2> "$work/err" || true
    tail -1 "$work/err"
  done
done
