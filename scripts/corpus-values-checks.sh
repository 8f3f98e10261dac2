#!/usr/bin/env bash
# render-unstable and values-schema-* over every chart of ../shared/corpus, with its default
# values (plus corpus-values.yaml) and with each of its ci/*.yaml, by the built-in renderer.
# Prints one line per finding: case, rule, severity, object, path, message (docs/corpus.md
# records a run). Usage: scripts/corpus-values-checks.sh [CORPUS_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${1:-../shared/corpus}"
CHARTGUARD="${CHARTGUARD:-target/debug/chartguard}"
[ -x "$CHARTGUARD" ] || cargo build -q -p chartguard
for d in "$corpus"/*/; do
  d="${d%/}"
  [ -f "$d/Chart.yaml" ] || continue
  name="$(basename "$d")"
  base=()
  [ -f "$d/corpus-values.yaml" ] && base+=(-f "$d/corpus-values.yaml")
  runs=("default")
  for ci in "$d"/ci/*.yaml; do [ -e "$ci" ] && runs+=("$ci"); done
  for r in "${runs[@]}"; do
    extra=()
    label="$name"
    if [ "$r" != default ]; then extra=(-f "$r"); label="$name--$(basename "$r" .yaml)"; fi
    "$CHARTGUARD" lint "$d" "${base[@]}" "${extra[@]}" --renderer native --format json 2>/dev/null |
      python3 -c '
import json, sys
label = sys.argv[1]
try:
    d = json.load(sys.stdin)
except Exception:
    print(f"{label}\tERROR\t-\t-\t-\tno JSON (render failed?)")
    sys.exit(0)
for f in d["findings"]:
    if f["rule"] in ("render-unstable", "values-schema-invalid", "values-schema-missing"):
        o = f["object"]
        print("\t".join([label, f["rule"], f["severity"], o["kind"] + "/" + o["name"], f["path"], f["message"]]))
' "$label" || true
  done
done
