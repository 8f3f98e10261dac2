#!/usr/bin/env bash
# The charts and values the differential scripts (render-diff.sh, compare-lines.sh) run:
# every chart under tests/charts and examples/charts (subcharts through their parent) and,
# with the corpus, every chart of ../shared/corpus, each with its default values (plus its
# corpus-flags and corpus-values.yaml) and with each of its ci/*.yaml. Prints one case per
# line: <case-id>\t<chart dir>\t<extra flags (space separated)>.
#
# Usage: scripts/chart-cases.sh [--no-corpus] [--only NAME]   (from the repository root)
set -euo pipefail
corpus=1
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-corpus) corpus=0 ;;
    --only) only="$2"; shift ;;
    *) echo "chart-cases.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
add_chart() { # add_chart <id-prefix> <dir>
  local id="$1" dir="$2" base=()
  if [ -n "$only" ] && [ "$only" != "$(basename "$dir")" ]; then return; fi
  [ -f "$dir/corpus-flags" ] && read -r -a base <"$dir/corpus-flags"
  [ -f "$dir/corpus-values.yaml" ] && base+=(-f "$dir/corpus-values.yaml")
  printf '%s\t%s\t%s\n' "$id" "$dir" "${base[*]-}"
  if [ -d "$dir/ci" ]; then
    for ci in "$dir"/ci/*.yaml; do
      [ -e "$ci" ] || continue
      printf '%s\t%s\t%s\n' "$id--$(basename "$ci" .yaml)" "$dir" "${base[*]-} -f $ci"
    done
  fi
  # tests/charts/*/cases/*.yaml: values that make the render fail (values.schema.json).
  if [ -d "$dir/cases" ]; then
    for cv in "$dir"/cases/*.yaml; do
      [ -e "$cv" ] || continue
      printf '%s\t%s\t%s\n' "$id--case-$(basename "$cv" .yaml)" "$dir" "${base[*]-} -f $cv"
    done
  fi
}
for d in $(find tests/charts examples/charts -name Chart.yaml -not -path '*/charts/*/charts/*' | sort); do
  dir="$(dirname "$d")"
  # Subcharts are rendered through their parent.
  case "$dir" in */charts/*/charts/*|tests/charts/*/charts/*) continue ;; esac
  add_chart "$(echo "$dir" | tr / _)" "$dir"
done
if [ "$corpus" = 1 ] && [ -d ../shared/corpus ]; then
  for d in ../shared/corpus/*/; do
    d="${d%/}"
    [ -f "$d/Chart.yaml" ] || continue
    add_chart "corpus_$(basename "$d")" "$d"
  done
fi
