#!/usr/bin/env bash
# The corpus as upgrades (docs/corpus.md, "Upgrades"): each chart of ../shared/corpus against
# itself — the previous release is the chart as it is, rendered by Helm (`helm template`,
# what `helm get manifest` plus `helm get hooks` hold); the new one is a copy with its chart
# version bumped and `--set image.tag=…` changed — linted with `--previous` and only the
# upgrade rules. An upgrade finding there means the chart breaks on (or endangers) an
# ordinary version bump: read each one by hand.
#
#   scripts/upgrade-corpus.sh [HELM] [OUT]     (default .tools/helm4/helm, target/upgrade-corpus)
#   VERSION_ONLY=1 scripts/upgrade-corpus.sh …  the chart version bump without a new image
#
# Writes OUT/<chart>.json (the lint), OUT/summary.tsv (chart, rule, object, message) and
# OUT/charts.tsv (whether the new tag reached a container image).
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
printf 'chart\timage\tchanges\n' > "$OUT/charts.tsv"
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
  # A new image tag where the chart keeps it (image.tag for most; a few name it otherwise or
  # refuse a tag above the version they support).
  case "$c" in
    elasticsearch) set_tag=(--set imageTag=8.5.2) ;;
    traefik) set_tag=(--set image.tag=v3.7.10) ;;
    argo-cd) set_tag=(--set global.image.tag=v9.9.9) ;;
    argo-workflows) set_tag=(--set images.tag=v9.9.9) ;;
    harbor) set_tag=(--set core.image.tag=v9.9.9) ;;
    ingress-nginx | jenkins) set_tag=(--set controller.image.tag=9.9.9) ;;
    prometheus | vault) set_tag=(--set server.image.tag=v9.9.9) ;;
    *) set_tag=(--set image.tag=9.9.9-upgrade) ;;
  esac
  # VERSION_ONLY=1: the version bump alone (pods roll for nothing else).
  [ "${VERSION_ONLY:-0}" = 1 ] && set_tag=()
  args=(lint "$WORK/$c" --helm-bin "$HELM" --release-name rel "${extra[@]}" --previous "$OUT/$c.previous.yaml"
        --select "$RULES" --profile prod --format json --fail-on none)
  if ! "$BIN" "${args[@]}" ${set_tag[@]+"${set_tag[@]}"} > "$OUT/$c.json" 2> "$OUT/$c.err"; then
    # A values schema may refuse image.tag: the version bump alone then.
    if ! "$BIN" "${args[@]}" > "$OUT/$c.json" 2> "$OUT/$c.err"; then
      echo "$c: lint failed (see $OUT/$c.err)" >&2
      continue
    fi
    echo "$c: ${set_tag[1]} refused, linted with the version bump only" >&2
    set_tag=()
  fi
  # Did the new tag reach a container? (Charts that keep images elsewhere change only the version.)
  "$HELM" template rel "$WORK/$c" "${extra[@]}" ${set_tag[@]+"${set_tag[@]}"} 2>/dev/null | grep -E '^\s*(- )?image:' | sort > "$WORK/$c.images.new" || true
  grep -E '^\s*(- )?image:' "$OUT/$c.previous.yaml" | sort > "$WORK/$c.images.old" || true
  if cmp -s "$WORK/$c.images.old" "$WORK/$c.images.new"; then image=unchanged; else image=changed; fi
  # The change list's count line (what was paired, added, removed).
  changes=$("$BIN" "${args[@]/json/human}" ${set_tag[@]+"${set_tag[@]}"} 2>/dev/null | grep -m1 ': changes from ' | sed 's/.*: changes from [^:]*: //') || true
  printf '%s\t%s\t%s\n' "$c" "$image" "$changes" >> "$OUT/charts.tsv"
  python3 - "$c" "$OUT/$c.json" >> "$OUT/summary.tsv" <<'PY'
import json, sys
chart, path = sys.argv[1], sys.argv[2]
for f in json.load(open(path))["findings"]:
    o = f["object"]
    print("\t".join([chart, f["rule"], f"{o['kind']}/{o['name']}", f["message"]]))
PY
done
echo "$(($(wc -l < "$OUT/summary.tsv") - 1)) upgrade finding(s); $OUT/summary.tsv"
