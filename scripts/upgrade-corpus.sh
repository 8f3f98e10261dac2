#!/usr/bin/env bash
# The corpus as upgrades (docs/corpus.md, "Upgrades"): each chart of ../shared/corpus against
# itself — the previous release is the chart as it is, rendered by Helm (`helm template`,
# what `helm get manifest` plus `helm get hooks` hold); the new one is a copy with its chart
# version bumped and `--set image.tag=…` changed — linted with `--previous` and only the
# upgrade rules. An upgrade finding there means the chart breaks on (or endangers) an
# ordinary version bump: read each one by hand.
#
#   scripts/upgrade-corpus.sh [HELM] [OUT]     (default .tools/helm4/helm, target/upgrade-corpus)
#
# Writes OUT/<chart>.json (the lint) and OUT/summary.tsv (chart, rule, object, message).
# No cargo build: the debug binary must exist; the rules are read from policies/ on disk.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
HELM=${1:-.tools/helm4/helm}
OUT=${2:-target/upgrade-corpus}
CORPUS=../shared/corpus
BIN=./target/debug/chartguard
[ -x "$BIN" ] || { echo "build first: cargo build" >&2; exit 2; }
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS" >&2; exit 2; }
export CHARTGUARD_BUNDLED_POLICIES=$PWD/policies
RULES=$("$BIN" rules --format json | python3 -c 'import json,sys; print(",".join(r["id"] for r in json.load(sys.stdin) if r["id"].startswith("upgrade-")))')
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
printf 'chart\trule\tobject\tmessage\n' > "$OUT/summary.tsv"
for d in "$CORPUS"/*/; do
  [ -f "$d/Chart.yaml" ] || continue
  c=$(basename "$d")
  extra=()
  [ -f "$d/corpus-values.yaml" ] && extra=(-f "$d/corpus-values.yaml")
  # Before: the chart as it is.
  if ! "$HELM" template rel "$d" "${extra[@]}" > "$OUT/$c.previous.yaml" 2> "$OUT/$c.previous.err"; then
    echo "$c: the previous release does not render (see $OUT/$c.previous.err)" >&2
    continue
  fi
  # After: the chart version bumped (patch + 1), a new image tag.
  rm -rf "${WORK:?}/$c"
  cp -r "$d" "$WORK/$c"
  python3 - "$WORK/$c/Chart.yaml" <<'PY'
import re, sys
p = sys.argv[1]
text = open(p).read()
def bump(m):
    parts = m.group(2).split("-")[0].split("+")[0].split(".")
    parts[-1] = str(int(parts[-1]) + 1) if parts[-1].isdigit() else parts[-1] + "1"
    return m.group(1) + ".".join(parts) + m.group(3)
text = re.sub(r'(?m)^(version:\s*["\']?)([^"\'\s]+)(["\']?\s*)$', bump, text, count=1)
open(p, "w").write(text)
PY
  set_tag=(--set image.tag=9.9.9-upgrade)
  args=(lint "$WORK/$c" --helm-bin "$HELM" --release-name rel "${extra[@]}" --previous "$OUT/$c.previous.yaml"
        --select "$RULES" --profile prod --format json --fail-on none)
  if ! "$BIN" "${args[@]}" "${set_tag[@]}" > "$OUT/$c.json" 2> "$OUT/$c.err"; then
    # A values schema may refuse image.tag: the version bump alone then.
    if ! "$BIN" "${args[@]}" > "$OUT/$c.json" 2> "$OUT/$c.err"; then
      echo "$c: lint failed (see $OUT/$c.err)" >&2
      continue
    fi
    echo "$c: image.tag refused, linted with the version bump only" >&2
  fi
  python3 - "$c" "$OUT/$c.json" >> "$OUT/summary.tsv" <<'PY'
import json, sys
chart, path = sys.argv[1], sys.argv[2]
for f in json.load(open(path))["findings"]:
    o = f["object"]
    print("\t".join([chart, f["rule"], f"{o['kind']}/{o['name']}", f["message"]]))
PY
done
echo "$(($(wc -l < "$OUT/summary.tsv") - 1)) upgrade finding(s); $OUT/summary.tsv"
