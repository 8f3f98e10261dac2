#!/usr/bin/env bash
# What mapping findings to template lines costs in chart mode with Helm: for every chart of
# ../shared/corpus (default values, plus its corpus-values.yaml and corpus-flags), the wall
# time of one `helm template`, of linting its output as a file (the evaluation alone: no
# render, no mapping), of a baseline chartguard lint of the chart and of a new one, median of
# RUNS runs taken side by side (helm, file, baseline, new, helm, …), and how many Helm
# processes each lint started (counted by a wrapper around Helm). "Render and mapping" is a
# lint's time without the evaluation, in units of one `helm template`: 1 would be the clean
# render alone, so mapping costs at most one extra render where it is at most 2.
# Prints a Markdown table.
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
echo "| chart | helm template | lint of its output | baseline lint | new lint | Helm runs (baseline → new) | render and mapping, in renders (baseline → new) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for dir in "$CORPUS"/*/; do
  dir="${dir%/}"
  name="$(basename "$dir")"
  [ -f "$dir/Chart.yaml" ] || continue
  if [ -n "${CHARTS:-}" ] && ! grep -qw "$name" <<<"$CHARTS"; then continue; fi
  flags=()
  if [ -f "$dir/corpus-flags" ]; then read -r -a flags <"$dir/corpus-flags" || true; fi
  [ -f "$dir/corpus-values.yaml" ] && flags+=(-f "$dir/corpus-values.yaml")
  : >"$work/h" ; : >"$work/e" ; : >"$work/b" ; : >"$work/n"
  "$HELM" template "$name" "$dir" ${flags[@]+"${flags[@]}"} >"$work/rendered.yaml" 2>/dev/null || true
  for _ in $(seq "$RUNS"); do
    ms "$HELM" template "$name" "$dir" ${flags[@]+"${flags[@]}"} >>"$work/h"
    ms "$NEW" lint "$work/rendered.yaml" --format json --fail-on none --no-config >>"$work/e"
    COUNT="$work/count-b" ms "$BASE" lint "$dir" --release-name "$name" --helm-bin "$work/helm" \
      --format json --fail-on none --no-config ${flags[@]+"${flags[@]}"} >>"$work/b"
    COUNT="$work/count-n" ms "$NEW" lint "$dir" --release-name "$name" --helm-bin "$work/helm" \
      --format json --fail-on none --no-config ${flags[@]+"${flags[@]}"} >>"$work/n"
  done
  h=$(median <"$work/h") e=$(median <"$work/e") b=$(median <"$work/b") n=$(median <"$work/n")
  runs_b=$(( $(wc -l <"$work/count-b") / RUNS )) runs_n=$(( $(wc -l <"$work/count-n") / RUNS ))
  rm -f "$work/count-b" "$work/count-n"
  in_renders() { awk -v t="$1" -v e="$e" -v h="$h" 'BEGIN {printf "%.1f", (t - e) / h}'; }
  printf '| %s | %d ms | %d ms | %d ms | %d ms | %d → %d | %s → %s |\n' "$name" "$h" "$e" "$b" "$n" \
    "$runs_b" "$runs_n" "$(in_renders "$b")" "$(in_renders "$n")"
done
echo
echo "load after: $(uptime)"
