#!/usr/bin/env bash
# Are the findings the same before and after a change? Runs two chartguard binaries with
# `--format json` over every example, every test chart and every chart of ../shared/corpus
# (default values, and each ci/*.yaml with the chart's corpus-values.yaml and corpus-flags,
# as ../shared/corpus/render-all.sh renders them), with Helm 3 and Helm 4, and diffs their
# standard output, standard error and exit code.
#
# Usage: scripts/compare-findings.sh BASELINE_BIN [NEW_BIN]   (NEW_BIN: target/debug/chartguard)
# Env:   HELM3, HELM4   Helm binaries (default .tools/helm3/helm, .tools/helm4/helm)
#        CORPUS         corpus directory (default ../shared/corpus; skipped when absent)
#        JOBS           runs in parallel (default 2)
#        OUT            where outputs are kept (default: a temporary directory, printed)
#        REUSE=1        keep the outputs already in OUT (only the missing runs are made)
#        LINT_ARGS      extra arguments for every lint, split at spaces (`--renderer helm`
#                       compares the Helm renderer's mapping; the default renderer is built in)
#        FORMAT         the report format compared (default json; `human` compares the
#                       snippets too, and counts every difference in a chart with generated
#                       values as different: read those by eye)
#        SKIP           extended regex: cases whose name matches are not run (e.g. '--' for
#                       the corpus ci/ values files, 'corpus' for everything but the repo's charts)
#
# A difference is checked again with the baseline alone: charts that generate random values
# (passwords, certificates, test pod names) differ between any two runs of the same binary.
# Those are "unstable": compared once more with every finding reduced to what generated
# values cannot change (rule, severity, kind, path, locations, how mapped, values key and
# file), as a multiset; only a difference there counts. `--all-environments` runs are compared without the
# top-level `environments` list the JSON report gained (each environment's profile); that
# list is shown once per run instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BASE="${1:?usage: scripts/compare-findings.sh BASELINE_BIN [NEW_BIN]}"
NEW="${2:-target/debug/chartguard}"
BASE="$(cd "$(dirname "$BASE")" && pwd)/$(basename "$BASE")"
NEW="$(cd "$(dirname "$NEW")" && pwd)/$(basename "$NEW")"
HELM3="${HELM3:-$PWD/.tools/helm3/helm}"
HELM4="${HELM4:-$PWD/.tools/helm4/helm}"
CORPUS="${CORPUS:-../shared/corpus}"
JOBS="${JOBS:-2}"
OUT="${OUT:-$(mktemp -d)}"
mkdir -p "$OUT/base" "$OUT/new" "$OUT/again"
# Suppressions with dates must judge the same day in both runs.
export CHARTGUARD_TODAY=2026-11-30
export NO_COLOR=1

for bin in "$BASE" "$NEW" "$HELM3" "$HELM4"; do
  [ -x "$bin" ] || { echo "compare-findings: $bin is not an executable" >&2; exit 2; }
done

# One case per line: <name>\t<arguments after `lint`, tab-separated>
cases="$OUT/cases.tsv"
: >"$cases"
add() { local name="$1"; shift; (IFS=$'\t'; printf '%s\t%s\n' "$name" "$*") >>"$cases"; }
helms=("h3:$HELM3" "h4:$HELM4")

for f in examples/rendered/*.yaml; do
  add "rendered-$(basename "$f" .yaml)" "$f"
done
for h in "${helms[@]}"; do
  tag="${h%%:*}" bin="${h#*:}"
  for d in examples/charts/*/ tests/charts/*/; do
    d="${d%/}"
    add "$tag-${d//\//-}" "$d" --helm-bin "$bin"
  done
  for d in examples/charts/*/; do
    d="${d%/}"
    add "$tag-envs-$(basename "$d")" "$d" --helm-bin "$bin" --all-environments
  done
  if [ -d "$CORPUS" ]; then
    for chart in "$CORPUS"/*/; do
      chart="${chart%/}"
      [ -f "$chart/Chart.yaml" ] || continue
      name="$(basename "$chart")"
      base=("$chart" --helm-bin "$bin" --release-name "$name")
      if [ -f "$chart/corpus-flags" ]; then
        read -r -a flags <"$chart/corpus-flags" || true
        base+=(${flags[@]+"${flags[@]}"})
      fi
      [ -f "$chart/corpus-values.yaml" ] && base+=(-f "$chart/corpus-values.yaml")
      add "$tag-corpus-$name" "${base[@]}"
      for ci in "$chart"/ci/*.yaml; do
        [ -e "$ci" ] || continue
        stem="$(basename "$ci" .yaml)"
        if [ -f "$chart/corpus-ci-skip" ] && grep -qxF "$stem" "$chart/corpus-ci-skip"; then
          continue
        fi
        add "$tag-corpus-$name--$stem" "${base[@]}" -f "$ci"
      done
    done
  else
    echo "compare-findings: $CORPUS not found; corpus charts skipped" >&2
  fi
done

# run <binary> <dir> <name> <args...>: stdout, stderr and exit code of one lint.
run_one() {
  local bin="$1" dir="$2" name="$3"
  shift 3
  set +e
  # shellcheck disable=SC2086 # LINT_ARGS is a list of words
  "$bin" lint --format "${FORMAT:-json}" --fail-on none --no-config ${LINT_ARGS:-} "$@" >"$dir/$name.json" 2>"$dir/$name.err"
  echo $? >"$dir/$name.code"
  set -e
}

if [ -n "${SKIP:-}" ]; then
  grep -Ev "^[^	]*(${SKIP})" "$cases" >"$cases.kept" || true
  mv "$cases.kept" "$cases"
fi
total=$(wc -l <"$cases")
echo "# $total runs per binary, $JOBS at a time; outputs in $OUT"
while IFS=$'\t' read -r -a c; do
  for side in base new; do
    [ "${REUSE:-}" = 1 ] && [ -f "$OUT/$side/${c[0]}.code" ] && continue
    if [ "$side" = base ]; then bin="$BASE"; else bin="$NEW"; fi
    run_one "$bin" "$OUT/$side" "${c[@]}" &
    while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
  done
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
done <"$cases"
wait

# Copies a report without its `environments` list (and says what it held), for
# --all-environments runs.
strip_envs() {
  python3 - "$1" "$2" <<'PY'
import json, sys
path, copy = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
try:
    envs = json.loads(text).get("environments")
except ValueError:
    envs = None
if envs is not None:
    # Cut the pretty-printed list out as text: the rest must stay byte for byte.
    lines = text.split("\n")
    start = lines.index('  "environments": [')
    end = lines.index("  ],", start)
    text = "\n".join(lines[:start] + lines[end + 1:])
    print(", ".join(f"{e['name']}={e['profile']}" for e in envs))
open(copy, "w", encoding="utf-8").write(text)
PY
}

# Same findings but for generated names and values? (see the header)
same_shape() {
  python3 - "$1" "$2" <<'PY'
import json, sys
def shape(path):
    try:
        doc = json.load(open(path, encoding="utf-8"))
    except ValueError:
        return None
    def loc(l):
        return l and (l["file"], l["line"], l["end_line"], l.get("template"))
    out = []
    for f in doc.get("findings", []):
        v = f.get("value") or {}
        out.append(json.dumps([f["rule"], f["severity"], f["object"]["kind"], f["path"],
                               loc(f["location"]), loc(f.get("rendered")), f.get("mapped_by"),
                               v.get("key"), v.get("file"), v.get("line"),
                               f.get("environments"), bool(f.get("suppression"))]))
    return sorted(out), doc.get("summary"), doc.get("objects")
sys.exit(0 if shape(sys.argv[1]) == shape(sys.argv[2]) else 1)
PY
}

same=0 unstable=0 different=0 envs_seen=0
while IFS=$'\t' read -r -a c; do
  name="${c[0]}"
  new_json="$OUT/new/$name.json"
  # Only against a baseline from before the list (one with it compares as it is).
  if [[ "$name" == *-envs-* ]] && ! grep -q '^  "environments": \[' "$OUT/base/$name.json"; then
    new_json="$OUT/new/$name.json.compared"
    shown="$(strip_envs "$OUT/new/$name.json" "$new_json")"
    [ -n "$shown" ] && envs_seen=$((envs_seen + 1)) && echo "  $name: environments reported: $shown"
  fi
  if cmp -s "$OUT/base/$name.json" "$new_json" &&
     cmp -s "$OUT/base/$name.err" "$OUT/new/$name.err" &&
     cmp -s "$OUT/base/$name.code" "$OUT/new/$name.code"; then
    same=$((same + 1))
    continue
  fi
  run_one "$BASE" "$OUT/again" "${c[@]}"
  if ! cmp -s "$OUT/base/$name.json" "$OUT/again/$name.json" ||
     ! cmp -s "$OUT/base/$name.err" "$OUT/again/$name.err"; then
    if [ "${FORMAT:-json}" = json ] && same_shape "$OUT/base/$name.json" "$new_json" &&
       cmp -s "$OUT/base/$name.code" "$OUT/new/$name.code"; then
      unstable=$((unstable + 1))
      echo "UNSTABLE $name (the baseline differs from itself; same findings but for generated values)"
      continue
    fi
    echo "UNSTABLE+DIFFERENT $name (differs beyond generated values)"
  fi
  different=$((different + 1))
  echo "DIFFERENT $name (exit $(cat "$OUT/base/$name.code") -> $(cat "$OUT/new/$name.code"))"
  diff <(cat "$OUT/base/$name.json" "$OUT/base/$name.err") \
       <(cat "$new_json" "$OUT/new/$name.err") | head -20 | sed 's/^/    /' || true
done <"$cases"

echo "compare-findings: $total runs compared: $same identical, $different different, $unstable unstable (generated values; the same findings otherwise); $envs_seen --all-environments runs reported their environments' profiles"
[ "$different" -eq 0 ]
