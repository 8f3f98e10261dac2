#!/usr/bin/env bash
# The whole corpus linted as one directory of charts: wall time and charts per second with
# one chart at a time (`--jobs 1`) and with the default (one per core), median of RUNS runs
# taken side by side. Prints a Markdown table. The charts are linted with their default
# values only (a directory lint has no per-chart values), so charts that need values fail to
# render; they count as linted charts all the same (Helm ran).
#
# Usage: scripts/bench-corpus-dir.sh [BIN]   (BIN: target/release/chartguard)
# Env:   HELM (default .tools/helm4/helm), CORPUS (default ../shared/corpus), RUNS (default 5)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN="$(realpath "${1:-target/release/chartguard}")"
HELM="$(realpath "${HELM:-.tools/helm4/helm}")"
CORPUS="${CORPUS:-../shared/corpus}"
RUNS="${RUNS:-5}"
export CHARTGUARD_TODAY=2026-11-30 NO_COLOR=1

charts=$(find "$CORPUS" -mindepth 2 -maxdepth 2 -name Chart.yaml | wc -l)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
. scripts/timing.sh

echo "cores: $(nproc); load before: $(uptime)"
for _ in $(seq "$RUNS"); do
  ms "$BIN" lint "$CORPUS" --helm-bin "$HELM" --jobs 1 --format json --fail-on none --no-config >>"$work/serial"
  ms "$BIN" lint "$CORPUS" --helm-bin "$HELM" --format json --fail-on none --no-config >>"$work/parallel"
done
echo
echo "| $charts charts | wall time (median of $RUNS) | charts per second |"
echo "|---|---:|---:|"
for mode in serial parallel; do
  t=$(median <"$work/$mode")
  label=$([ "$mode" = serial ] && echo '`--jobs 1`' || echo "default ($(nproc) at once)")
  printf '| %s | %.1f s | %s |\n' "$label" "$(awk -v t="$t" 'BEGIN {print t / 1000}')" \
    "$(awk -v t="$t" -v c="$charts" 'BEGIN {printf "%.2f", c / (t / 1000)}')"
done
echo
echo "load after: $(uptime)"
