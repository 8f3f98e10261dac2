#!/usr/bin/env bash
# How many corpus renders does Helm itself reproduce byte for byte? Renders every chart of
# ../shared/corpus as scripts/render-diff.sh does (default values, its corpus-values.yaml and
# corpus-flags, and each ci/*.yaml not in corpus-ci-skip) twice with the same Helm and
# compares the two outputs. A render Helm does not reproduce (random or crypto functions)
# cannot be byte-identical with the built-in renderer either: this is the ceiling for
# render-diff's byte-identical count (docs/renderer.md).
#
# Usage: scripts/helm-vs-itself.sh
# Env:   HELM (default .tools/helm4/helm), CORPUS (default ../shared/corpus)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
HELM="${HELM:-.tools/helm4/helm}"
CORPUS="${CORPUS:-../shared/corpus}"
[ -d "$CORPUS" ] || { echo "helm-vs-itself: $CORPUS not found" >&2; exit 2; }
same=0 differ=0 list=""
for chart in "$CORPUS"/*/; do
  chart="${chart%/}"
  [ -f "$chart/Chart.yaml" ] || continue
  name="$(basename "$chart")"
  flags=()
  if [ -f "$chart/corpus-flags" ]; then read -r -a flags <"$chart/corpus-flags" || true; fi
  [ -f "$chart/corpus-values.yaml" ] && flags+=(-f "$chart/corpus-values.yaml")
  cases=(default)
  for ci in "$chart"/ci/*.yaml; do
    [ -e "$ci" ] || continue
    stem="$(basename "$ci" .yaml)"
    if [ -f "$chart/corpus-ci-skip" ] && grep -qxF "$stem" "$chart/corpus-ci-skip"; then continue; fi
    cases+=("$ci")
  done
  for c in "${cases[@]}"; do
    extra=()
    [ "$c" != default ] && extra=(-f "$c")
    a="$("$HELM" template "$name" "$chart" ${flags[@]+"${flags[@]}"} ${extra[@]+"${extra[@]}"} 2>&1 || true)"
    b="$("$HELM" template "$name" "$chart" ${flags[@]+"${flags[@]}"} ${extra[@]+"${extra[@]}"} 2>&1 || true)"
    if [ "$a" == "$b" ]; then
      same=$((same + 1))
    else
      differ=$((differ + 1))
      list="$list $name:$(basename "$c" .yaml)"
    fi
  done
done
echo "helm-vs-itself: $((same + differ)) renders, $same byte-identical between two runs of $HELM, $differ not:$list"
