#!/usr/bin/env bash
# What mapping findings to template lines costs in chart mode with Helm: for every chart of
# ../shared/corpus (default values, plus its corpus-values.yaml and corpus-flags), the wall
# time of one `helm template`, of linting its output as a file (the evaluation alone: no
# render, no mapping), of a baseline chartguard lint of the chart and of a new one (both
# `--renderer helm`: the built-in renderer, the default, maps without Helm), median of
# RUNS runs taken side by side (helm, file, baseline, new, helm, …), and how many Helm
# processes each lint started (counted by a wrapper around Helm). "Render and mapping" is a
# lint's time without the evaluation, in units of one `helm template`: 1 would be the clean
# render alone, so mapping costs at most one extra render where it is at most 2. The last
# column is the same ratio in CPU time (user + system, Helm's included), which other
# sessions' load disturbs less than wall time. Prints a Markdown table.
#
# Usage: scripts/bench-mapping.sh BASELINE_BIN [NEW_BIN]   (NEW_BIN: target/release/chartguard)
# Env:   HELM (default .tools/helm4/helm), CORPUS (default ../shared/corpus), RUNS (default 5),
#        CHARTS (space-separated chart names; default all)
#
# The machine is shared: `uptime` is printed before and after; compare columns of one run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BASE="$(realpath "${1:?usage: scripts/bench-mapping.sh BASELINE_BIN [NEW_BIN]}")"
NEW="$(realpath "${2:-target/release/chartguard}")"
HELM="$(realpath "${HELM:-.tools/helm4/helm}")"
CORPUS="${CORPUS:-../shared/corpus}"
RUNS="${RUNS:-5}"
export CHARTGUARD_TODAY=2026-11-30 NO_COLOR=1
unset RUST_BACKTRACE # a backtrace captured on every error would be timed too

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A Helm that counts its runs: one line per process in $COUNT.
cat >"$work/helm" <<EOF
#!/bin/sh
echo x >>"\$COUNT"
exec "$HELM" "\$@"
EOF
chmod +x "$work/helm"

. scripts/timing.sh

echo "load before: $(uptime)"
echo
echo "| chart | helm template | lint of its output | baseline lint | new lint | Helm runs (baseline → new) | render and mapping, in renders (baseline → new) | the same in CPU time (baseline → new) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for dir in "$CORPUS"/*/; do
  dir="${dir%/}"
  name="$(basename "$dir")"
  [ -f "$dir/Chart.yaml" ] || continue
  if [ -n "${CHARTS:-}" ] && ! grep -qw "$name" <<<"$CHARTS"; then continue; fi
  flags=()
  if [ -f "$dir/corpus-flags" ]; then read -r -a flags <"$dir/corpus-flags" || true; fi
  [ -f "$dir/corpus-values.yaml" ] && flags+=(-f "$dir/corpus-values.yaml")
  : >"$work/h" ; : >"$work/e" ; : >"$work/b" ; : >"$work/n" ; : >"$work/count-b" ; : >"$work/count-n"
  "$HELM" template "$name" "$dir" ${flags[@]+"${flags[@]}"} >"$work/rendered.yaml" 2>/dev/null || true
  for _ in $(seq "$RUNS"); do
    timed "$work/h" "$HELM" template "$name" "$dir" ${flags[@]+"${flags[@]}"}
    timed "$work/e" "$NEW" lint "$work/rendered.yaml" --format json --fail-on none --no-config
    COUNT="$work/count-b" timed "$work/b" "$BASE" lint "$dir" --renderer helm --release-name "$name" \
      --helm-bin "$work/helm" --format json --fail-on none --no-config ${flags[@]+"${flags[@]}"}
    COUNT="$work/count-n" timed "$work/n" "$NEW" lint "$dir" --renderer helm --release-name "$name" \
      --helm-bin "$work/helm" --format json --fail-on none --no-config ${flags[@]+"${flags[@]}"}
  done
  runs_b=$(( $(wc -l <"$work/count-b") / RUNS )) runs_n=$(( $(wc -l <"$work/count-n") / RUNS ))
  # (lint - lint of its output) / helm template, column $1 (1 wall, 2 CPU) of file $2.
  in_renders() {
    awk -v t="$(col "$1" "$2")" -v e="$(col "$1" "$work/e")" -v h="$(col "$1" "$work/h")" \
      'BEGIN {printf "%.1f", (t - e) / h}'
  }
  printf '| %s | %d ms | %d ms | %d ms | %d ms | %d → %d | %s → %s | %s → %s |\n' "$name" \
    "$(col 1 "$work/h")" "$(col 1 "$work/e")" "$(col 1 "$work/b")" "$(col 1 "$work/n")" \
    "$runs_b" "$runs_n" "$(in_renders 1 "$work/b")" "$(in_renders 1 "$work/n")" \
    "$(in_renders 2 "$work/b")" "$(in_renders 2 "$work/n")"
done
echo
echo "load after: $(uptime)"
