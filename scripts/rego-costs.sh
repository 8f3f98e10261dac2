#!/usr/bin/env bash
# What one Rego operation costs in chartguard's evaluator (regorus): times micro-rules, each
# one operation inside a loop over every object of a generated release of N ConfigMaps, and
# prints the cost per operation (the rule's time minus the bare loop's, divided by N). These
# are the figures the rules' performance notes (policies/README.md) and docs/rego-costs.md
# quote; re-run them when regorus is upgraded. Not part of the test suite.
#
# Usage: scripts/rego-costs.sh [runs]      (default 7; the median is printed)
# Env:   BIN=<binary>   the chartguard to time (default: build target/release/chartguard)
#        OBJECTS=<n>    objects in the release (default 10000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS="${1:-7}"
OBJECTS="${OBJECTS:-10000}"
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked --quiet -p chartguard --bin chartguard
  BIN=./target/release/chartguard
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

for ((n = 0; n < OBJECTS; n++)); do
  printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  namespace: ns\n  labels:\n    app: a%d\ndata:\n  key: value\n' "$n" "$((n % 7))"
done > "$WORK/release.yaml"

# name | helper definitions | the loop body's operation (over `some i, r in input.resources`)
OPS=(
  "loop||"
  "comparison||i != -1"
  "one field (r.kind)||r.kind != \"\""
  "three fields (r.object.metadata.name)||r.object.metadata.name != \"\""
  "builtin call (is_number)||is_number(i)"
  "extension call (chartguard.index)||x := chartguard.index(input)"
  "function call (_id(x) := x)|_id(x) := x|_id(i) != -1"
  "function calling a builtin|_isn(x) if is_number(x)|_isn(i)"
  "function with an else branch|_f(x) := 1 if x < 0\nelse := 2|_f(i) == 2"
  "partial set lookup|_s contains i if some i, _ in input.resources|_s[i]"
  "object lookup by string key|_o[r.name] := i if some i, r in input.resources|_o[r.name] == i"
  "sprintf with two arguments||_ = sprintf(\"%s is %d\", [r.name, i])"
  "object literal of three keys||_ = {\"resource\": i, \"path\": [], \"message\": \"m\"}"
)

rule() { # rule ID DEFS BODY
  mkdir -p "$WORK/policies/$1"
  {
    printf '# METADATA\n# title: %s\n# description: a cost measurement\n' "$1"
    printf '# custom:\n#   id: %s\n#   severity: note\n#   profiles: [prod]\n#   scope: object\n' "$1"
    printf '#   why: measured\n#   fix: none\npackage chartguard.rules.costs["%s"]\n\n' "$1"
    printf '%b\n\n' "$2"
    printf 'report contains {"resource": i, "path": [], "message": "m"} if {\n'
    printf '\tsome i, r in input.resources\n'
    [ -n "$3" ] && printf '\t%s\n' "$3"
    printf '\ti < 0\n}\n'
  } > "$WORK/policies/$1/$1.rego"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_rule() { # time_rule ID → median ms of the rule alone
  for ((run = 0; run < RUNS; run++)); do
    env -u RUST_BACKTRACE "$BIN" lint "$WORK/release.yaml" --policy-dir "$WORK/policies/$1" \
      --select "$1" --format json --fail-on none --timings 2>&1 >/dev/null |
      awk -v id="$1" '$3 == id {print $1}'
  done | median
}

echo "# regorus cost per operation: $OBJECTS objects, median of $RUNS runs ($("$BIN" --version))"
printf '%-40s %10s %12s\n' "operation" "rule ms" "µs per op"
loop=""
for k in "${!OPS[@]}"; do
  IFS='|' read -r name defs body <<<"${OPS[$k]}"
  rule "op$k" "$defs" "$body"
  ms="$(time_rule "op$k")"
  if [ -z "$ms" ]; then
    echo "$name: no timing (the rule failed?)" >&2
    "$BIN" lint "$WORK/release.yaml" --policy-dir "$WORK/policies/op$k" --select "op$k" --fail-on none >&2 || true
    exit 2
  fi
  [ -z "$loop" ] && loop="$ms"
  awk -v n="$name" -v ms="$ms" -v base="$loop" -v objs="$OBJECTS" 'BEGIN {
    if (n == "loop") per = ms * 1000 / objs; else per = (ms - base) * 1000 / objs
    printf "%-40s %10.2f %12.2f\n", n, ms, per }'
done
echo "# 'loop' is the bare iteration with its final comparison (per object); every other line is"
echo "# the extra cost of its one operation per object."
