#!/usr/bin/env bash
# Finding lines, built-in renderer against the Helm renderer: lints every chart under
# examples/charts and tests/charts, and every chart of ../shared/corpus (default values, and
# each ci/*.yaml with the chart's corpus-values.yaml and corpus-flags), once with
# `--renderer native` and once with `--renderer helm` (Helm 4.1.4), `--format json`, and
# pairs the findings by rule + object + path. Reports, per pair, whether the primary location
# is the same file:line, and every difference with both lines (and the native finding's
# related template line, when the native location moved to the values line that set the
# value). Findings only one side reports are listed too, and paired findings whose
# fingerprints differ (they must not: fingerprints do not depend on lines).
#
# Usage: scripts/compare-lines.sh [--no-corpus] [--only NAME]
# Env:   CHARTGUARD  the binary (default: target/debug/chartguard, built if missing)
#        HELM        Helm binary for --renderer helm (default .tools/helm4/helm)
#        OUT         where outputs are kept (default: target/compare-lines)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

corpus=1
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-corpus) corpus=0 ;;
    --only) only="$2"; shift ;;
    *) echo "compare-lines.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
CHARTGUARD="${CHARTGUARD:-target/debug/chartguard}"
[ -x "$CHARTGUARD" ] || cargo build -q -p chartguard
HELM="${HELM:-.tools/helm4/helm}"
OUT="${OUT:-target/compare-lines}"
rm -rf "$OUT"
mkdir -p "$OUT"

cases="$OUT/cases.tsv"
case_flags=()
[ "$corpus" = 1 ] || case_flags+=(--no-corpus)
[ -z "$only" ] || case_flags+=(--only "$only")
scripts/chart-cases.sh "${case_flags[@]}" >"$cases"

while IFS=$'\t' read -r id dir flags; do
  for r in native helm; do
    # shellcheck disable=SC2086
    "$CHARTGUARD" lint "$dir" $flags --renderer $r --helm-bin "$HELM" --format json --fail-on none \
      >"$OUT/$id.$r.json" 2>"$OUT/$id.$r.err" && echo 0 >"$OUT/$id.$r.rc" || echo $? >"$OUT/$id.$r.rc"
  done
done <"$cases"

python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
cases = [l.rstrip("\n").split("\t")[0] for l in open(os.path.join(out, "cases.tsv"))]
same = diff = only_n = only_h = failed = prints = 0
lines = []
def load(p):
    try:
        return json.load(open(p))["findings"]
    except Exception:
        return None
def key(f):
    o = f["object"]
    return (f["rule"], o["kind"], o.get("namespace", ""), o["name"], f["path"])
def at(l):
    return f'{l["file"]}:{l["line"]}'
for c in cases:
    n, h = load(f"{out}/{c}.native.json"), load(f"{out}/{c}.helm.json")
    if n is None or h is None:
        failed += 1
        lines.append(f"FAILED {c}: native rc {open(f'{out}/{c}.native.rc').read().strip()}, helm rc {open(f'{out}/{c}.helm.rc').read().strip()}")
        continue
    nk, hk = {}, {}
    for f in n: nk.setdefault(key(f), f)
    for f in h: hk.setdefault(key(f), f)
    for k in sorted(set(nk) | set(hk)):
        a, b = nk.get(k), hk.get(k)
        if a is None:
            only_h += 1; lines.append(f"ONLY-HELM {c} {k[0]} {k[1]}/{k[3]} {k[4]} at {at(b['location'])}"); continue
        if b is None:
            only_n += 1; lines.append(f"ONLY-NATIVE {c} {k[0]} {k[1]}/{k[3]} {k[4]} at {at(a['location'])}"); continue
        if a["fingerprint"] != b["fingerprint"]:
            prints += 1
            lines.append(f"FINGERPRINT {c} {k[0]} {k[1]}/{k[3]} {k[4]}: native {a['fingerprint']} helm {b['fingerprint']}")
        if at(a["location"]) == at(b["location"]):
            same += 1
            continue
        diff += 1
        rel = [at(r["location"]) for r in a.get("related", []) if r.get("message", "").startswith("written by template")]
        moved = "values" if rel else "template"
        lines.append(f"DIFF[{moved}] {c} {k[0]} {k[1]}/{k[3]} {k[4]}: native {at(a['location'])} ({a.get('mapped_by')}"
                     + (f", template {rel[0]}" if rel else "") + f") helm {at(b['location'])} ({b.get('mapped_by')})")
print("\n".join(lines))
print(f"\n{len(cases)} lints; findings in both: {same + diff} ({same} same line, {diff} different); only native: {only_n}; only helm: {only_h}; failed cases: {failed}; paired findings whose fingerprints differ: {prints}")
PY
