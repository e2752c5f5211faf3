# shellcheck shell=bash
# Sourced by the benchmark scripts: from the crate's root, the release
# binary in `$bin`, a work directory `$work` removed on exit, and
# `grow_corpus DIR N`, which makes DIR hold the manifests m0..m(N-1), each a
# bundled example with its partner id made unique (a corpus grows from one
# size to the next: only the new files are written).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --quiet
# shellcheck disable=SC2034 # used by the scripts that source this file
bin=${CARGO_TARGET_DIR:-target}/release/proviso
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

seeds=(examples/facebook-2018/*.yaml examples/compliant/*.yaml)
grown=0
grow_corpus() {
  local dir=$1 n=$2 i seed
  mkdir -p "$dir"
  for ((i = grown; i < n; i++)); do
    seed=${seeds[$((i % ${#seeds[@]}))]}
    sed "0,/  id: /s//  id: p$i-/" "$seed" > "$dir/m$i.yaml"
  done
  grown=$n
}
