#!/usr/bin/env bash
# `chartguard lint CHART` (the default renderer: built in, Helm only as a fallback) against
# `helm template` alone, on every chart of ../shared/corpus with its default values (plus
# its corpus-values.yaml and corpus-flags): RUNS runs of each taken side by side (helm,
# lint, helm, lint, …), the median wall and CPU (user + system) milliseconds of each whole
# process, and lint ÷ helm. Below 1 means a lint costs less than Helm's render alone.
# Prints a Markdown table.
#
# Usage: scripts/lint-vs-helm.sh [CHARTGUARD_BIN]   (default target/release/chartguard)
# Env:   HELM (default .tools/helm4/helm), CORPUS (default ../shared/corpus), RUNS (default 5),
#        CHARTS (space-separated chart names; default all)
#
# The machine may be shared: `uptime` is printed before and after; CPU time is the steadier
# figure when others are busy.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN="$(realpath "${1:-target/release/chartguard}")"
HELM="$(realpath "${HELM:-.tools/helm4/helm}")"
CORPUS="${CORPUS:-../shared/corpus}"
RUNS="${RUNS:-5}"
export NO_COLOR=1
unset RUST_BACKTRACE # a backtrace captured on every error would be timed too

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

. scripts/timing.sh

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "–" }'; }

echo "load before: $(uptime)"
echo
echo "| chart | helm template wall ms | lint wall ms | wall ratio | helm template CPU ms | lint CPU ms | CPU ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for dir in "$CORPUS"/*/; do
  dir="${dir%/}"
  name="$(basename "$dir")"
  [ -f "$dir/Chart.yaml" ] || continue
  if [ -n "${CHARTS:-}" ] && ! grep -qw "$name" <<<"$CHARTS"; then continue; fi
  flags=()
  if [ -f "$dir/corpus-flags" ]; then read -r -a flags <"$dir/corpus-flags" || true; fi
  [ -f "$dir/corpus-values.yaml" ] && flags+=(-f "$dir/corpus-values.yaml")
  : >"$work/h"
  : >"$work/l"
  for _ in $(seq "$RUNS"); do
    timed "$work/h" "$HELM" template "$name" "$dir" ${flags[@]+"${flags[@]}"}
    timed "$work/l" "$BIN" lint "$dir" --release-name "$name" --helm-bin "$HELM" --no-config \
      ${flags[@]+"${flags[@]}"}
  done
  hw=$(col 1 "$work/h") hc=$(col 2 "$work/h") lw=$(col 1 "$work/l") lc=$(col 2 "$work/l")
  printf '| %s | %d | %d | %s | %d | %d | %s |\n' "$name" "$hw" "$lw" "$(ratio "$lw" "$hw")" \
    "$hc" "$lc" "$(ratio "$lc" "$hc")"
done
echo
echo "load after: $(uptime)"
