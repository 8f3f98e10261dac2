#!/usr/bin/env bash
# The pre-commit hook (.pre-commit-hooks.yaml): lints each chart that holds one of the changed
# files given as arguments, once, with the flags of `args:` in the config. pre-commit passes
# args and file names in one list, so a flag's value must be joined to it
# (`--values=values-prod.yaml`, `--kube-version=1.33`): every argument starting with "-" is a
# flag, every other one a changed file.
# Exit 0 clean, 1 findings at or above --fail-on, 2 a chart could not be linted.
set -euo pipefail
HOOK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

flags=()
files=()
for a in "$@"; do
  if [[ "$a" == -* ]]; then flags+=("$a"); else files+=("$a"); fi
done

# The chart of a file: the outermost directory upwards holding Chart.yaml (a subchart under
# charts/ belongs to its parent, which renders it).
charts=()
seen=$'\n' # newline-separated (macOS's bash 3.2 has no associative arrays)
for f in ${files[@]+"${files[@]}"}; do
  dir="$(dirname "$f")"
  chart=""
  while :; do
    [[ -f "$dir/Chart.yaml" ]] && chart="$dir"
    [[ "$dir" == . || "$dir" == / ]] && break
    dir="$(dirname "$dir")"
  done
  if [[ -n "$chart" && "$seen" != *$'\n'"$chart"$'\n'* ]]; then
    seen+="$chart"$'\n'
    charts+=("$chart")
  fi
done
[[ ${#charts[@]} -eq 0 ]] && exit 0

if [[ -n "${CHARTGUARD_BIN:-}" ]]; then
  bin="$CHARTGUARD_BIN"
elif command -v chartguard >/dev/null 2>&1; then
  bin=chartguard
else
  # The release of the hook's own rev: the version in its Cargo.toml.
  version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$HOOK_ROOT/Cargo.toml" | head -1)"
  bin="$("$HOOK_ROOT/scripts/release-download.sh" "$version")"
fi
exec "$bin" lint "${charts[@]}" ${flags[@]+"${flags[@]}"}
