#!/usr/bin/env bash
# Nightly run: many more random cases than the pull-request suite, with a fresh seed that is
# printed and recorded beside the evidence, so any failure can be replayed with `--seed`.
#
# Usage: ci/nightly.sh [CASES] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

cases="${1:-512}"
out="${2:-nightly-results}"
seed="$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')"

mkdir -p "$out"
echo "$seed" > "$out/seed.txt"
echo "nightly run: seed $seed, $cases cases per operation, evidence in $out/"

cargo run --release -- run --cases "$cases" --seed "$seed" --out "$out"
