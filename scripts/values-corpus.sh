#!/usr/bin/env bash
# Values analysis over ../shared/corpus (real public charts; see its INDEX.md): every chart
# with each of its ci/*.yaml (chart authors' own values files) through `chartguard lint
# --renderer native`, listing each values-key-unknown finding (file, line, key, message) to
# be checked by hand (docs/corpus.md records the verdicts); then, per chart with default
# values and --profile dev, the values-default-unused notes. Not part of the test suite
# (which must pass without that folder).
# Usage: scripts/values-corpus.sh [chart-name ...]   env CHARTGUARD=path/to/binary
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CORPUS="${CORPUS:-../shared/corpus}"
[[ -d "$CORPUS" ]] || { echo "values-corpus.sh: $CORPUS not found" >&2; exit 2; }
BIN="${CHARTGUARD:-target/debug/chartguard}"
[[ -x "$BIN" ]] || cargo build --locked --quiet
OUT="${OUT:-target/values-corpus}"
mkdir -p "$OUT"
charts=("$@")
if [[ ${#charts[@]} -eq 0 ]]; then
  for d in "$CORPUS"/*/; do [[ -f "$d/Chart.yaml" ]] && charts+=("$(basename "$d")"); done
fi
show() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
path, label, rule = sys.argv[1:]
try:
    r = json.load(open(path))
except Exception:
    print(f"{label}: NO JSON: {open(path[:-5] + '.err').read().strip()[:300]}")
    sys.exit(0)
fs = [f for f in r["findings"] if f["rule"] == rule]
print(f"{label}: {len(fs)} {rule}")
for f in fs:
    loc = f["location"]
    print(f"  {loc['file']}:{loc['line']} {f['path']}: {f['message']}")
PY
}
renders=0
for c in "${charts[@]}"; do
  base=()
  [[ -f "$CORPUS/$c/corpus-values.yaml" ]] && base+=(-f "$CORPUS/$c/corpus-values.yaml")
  for ci in "$CORPUS/$c"/ci/*.yaml; do
    [[ -f "$ci" ]] || continue
    name="$c.$(basename "$ci" .yaml)"
    set +e
    "$BIN" lint "$CORPUS/$c" --renderer native "${base[@]}" -f "$ci" --format json --fail-on none \
      > "$OUT/$name.json" 2> "$OUT/$name.err"
    set -e
    renders=$((renders + 1))
    show "$OUT/$name.json" "$c $(basename "$ci")" values-key-unknown
  done
  set +e
  "$BIN" lint "$CORPUS/$c" --renderer native "${base[@]}" --profile dev --format json --fail-on none \
    > "$OUT/$c.dev.json" 2> "$OUT/$c.dev.err"
  set -e
  show "$OUT/$c.dev.json" "$c (values.yaml, dev)" values-default-unused
done
echo "renders with ci values: $renders"
