#!/usr/bin/env bash
# Lints every chart of ../shared/corpus (real public charts; see its INDEX.md) with Helm 3
# and Helm 4, to hunt false positives, crashes and slow paths. Not part of the test suite
# (which must pass without that folder). Prints, per chart: exit code, time, objects,
# findings per rule, and how each finding's template line was found; then totals.
# Usage: scripts/corpus.sh [chart-name ...]   (default: all)   env PROFILE=prod|dev
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CORPUS="${CORPUS:-../shared/corpus}"
[[ -d "$CORPUS" ]] || { echo "corpus.sh: $CORPUS not found" >&2; exit 2; }
scripts/install-tools.sh helm >/dev/null
cargo build --release --locked --quiet
OUT="${OUT:-target/corpus}"
mkdir -p "$OUT"
charts=("$@")
if [[ ${#charts[@]} -eq 0 ]]; then
  for d in "$CORPUS"/*/; do [[ -f "$d/Chart.yaml" ]] && charts+=("$(basename "$d")"); done
fi
for helm in helm3 helm4; do
  for c in "${charts[@]}"; do
    s=$(date +%s%N)
    set +e
    extra=()
    [[ -f "$CORPUS/$c/corpus-values.yaml" ]] && extra+=(-f "$CORPUS/$c/corpus-values.yaml")
    [[ -f "$CORPUS/$c/corpus-flags" ]] && read -r -a flags < "$CORPUS/$c/corpus-flags" && extra+=("${flags[@]}")
    ./target/release/chartguard lint "$CORPUS/$c" --helm-bin ".tools/$helm/helm" --profile "${PROFILE:-prod}" \
      "${extra[@]}" --format json --fail-on none > "$OUT/$c.$helm.json" 2> "$OUT/$c.$helm.err"
    code=$?
    set -e
    e=$(date +%s%N)
    python3 - "$OUT/$c.$helm.json" "$c" "$helm" "$code" "$(( (e - s) / 1000000 ))" <<'PY'
import json, sys, collections
path, chart, helm, code, ms = sys.argv[1:]
try:
    r = json.load(open(path))
except Exception:
    print(f"{helm} {chart:32} exit {code} {ms:>6}ms  NO JSON: {open(path.replace('.json', '.err')).read().strip()[:300]}")
    sys.exit(0)
rules = collections.Counter(f["rule"] for f in r["findings"])
mapped = collections.Counter(f.get("mapped_by", "-") for f in r["findings"])
print(f"{helm} {chart:32} exit {code} {ms:>6}ms {r['objects']:>4} objects  " + ", ".join(f"{k}={v}" for k, v in sorted(rules.items())) + "  | mapped " + ", ".join(f"{k}={v}" for k, v in sorted(mapped.items())))
PY
  done
done
