#!/usr/bin/env bash
# Nightly differential run: many more generated cases than the test suite's, compared between
# the reference evaluator and @cloud-copilot/iam-simulate, with a fresh seed that is printed and
# recorded beside the output, so any disagreement can be replayed with `--seed` and `--kind`.
# Both kinds of cases run: `scp` (the SCP decision alone) and `all` (SCPs, identity policies and
# a resource-based policy, compared on the overall decision), CASES of each.
# Needs Node.js 20 or newer with npm; the oracle is installed into the cache directory on first
# use.
#
# Usage: ci/nightly-oracle.sh [CASES] [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

cases="${1:-1000000}"
out="${2:-nightly-oracle}"
seed="$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')"

mkdir -p "$out"
echo "$seed" > "$out/seed.txt"
echo "nightly differential run: seed $seed, $cases cases of each kind, output in $out/"

# The exit code is that of the first run that fails, scpcheck's: 1 when a disagreement is
# unexplained, 3 when the oracle cannot be installed or started. Unexplained disagreements are
# the decision vector lines of the output, `oracle.txt` for `scp` and `oracle-all.txt` for `all`.
status=0
cargo run --release -- oracle --kind scp --cases "$cases" --seed "$seed" \
  | tee "$out/oracle.txt" || status=$?
kind_status=0
cargo run --release -- oracle --kind all --cases "$cases" --seed "$seed" \
  | tee "$out/oracle-all.txt" || kind_status=$?
if [ "$status" -eq 0 ]; then
  status=$kind_status
fi
exit "$status"
