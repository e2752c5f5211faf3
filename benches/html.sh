#!/usr/bin/env bash
# `--format html` as the number of manifests grows, beside `--format json`
# on the same corpus: time, peak resident memory and the size of what is
# written. The page is rendered when the run ends, from what was kept of
# each manifest (its findings and its rules' results), so its memory grows
# with the findings while JSON's stays flat; both should grow linearly.
#
#   bash benches/html.sh                   # 1000, 5000 and 20000 manifests
#   bash benches/html.sh 500 2000          # other sizes
# shellcheck source=benches/lib.sh
source "$(dirname "$0")/lib.sh"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000 20000)
dir="$work/manifests"
for n in "${sizes[@]}"; do
  grow_corpus "$dir" "$n"
  for format in json html; do
    /usr/bin/time -f "%M %e" -o "$work/time" \
      "$bin" check "$dir" --format "$format" --as-of 2018-12-18 \
      --output "$work/out.$format" 2> /dev/null || true
    read -r rss secs < <(tail -1 "$work/time")
    size=$(stat -c %s "$work/out.$format")
    printf '%6d manifests, --format %-4s: %6.2f s, peak RSS %7d KiB, %9d bytes written\n' \
      "$n" "$format" "$secs" "$rss" "$size"
  done
done
