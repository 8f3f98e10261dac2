#!/usr/bin/env bash
# Benchmark: generates rendered releases of 100, 1,000 and 10,000 objects (copies of the
# example charts' rendered output, renamed so every object is distinct; hooks and tests only
# in the first copy, as in a real umbrella release: a thousand backup hooks each racing a
# thousand migrations would measure the quadratic number of findings, not the linter) and times
# `chartguard lint` on each with a release build: best and median of N runs, plus per-stage
# and per-rule times from `--timings` for the largest. Not part of the test suite (timings
# are not asserted in tests); figures go in the README.
# Usage: scripts/bench.sh [runs]   (default 5)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS="${1:-5}"
cargo build --release --locked --quiet
BIN=./target/release/chartguard
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

python3 - "$WORK" <<'PY'
import re, sys
work = sys.argv[1]
docs = []
for f in ["examples/rendered/classic-mistakes.yaml", "examples/rendered/prod-ready.yaml"]:
    for d in open(f).read().split("\n---\n"):
        if "kind:" in d:
            docs.append(d.strip("-\n"))
for n in (100, 1000, 10000):
    out = []
    i = 0
    while len(out) < n:
        for d in docs:
            if len(out) >= n:
                break
            if i > 0 and "helm.sh/hook" in d:
                continue
            # Rename every object and label value so releases do not collapse into duplicates.
            out.append(re.sub(r"(name: [\"']?)([a-z][a-z0-9-]*)", lambda m: f"{m.group(1)}{m.group(2)}-{i}", d))
        i += 1
    with open(f"{work}/release-{n}.yaml", "w") as fh:
        fh.write("---\n" + "\n---\n".join(out) + "\n")
PY

printf '%-8s %10s %10s %10s %12s\n' objects size best median findings
for n in 100 1000 10000; do
  f="$WORK/release-$n.yaml"
  times=()
  for _ in $(seq "$RUNS"); do
    s=$(date +%s%N)
    "$BIN" lint "$f" --format json --fail-on none > "$WORK/out.json"
    e=$(date +%s%N)
    times+=( $(( (e - s) / 1000000 )) )
  done
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  findings=$(python3 -c "import json;print(len(json.load(open('$WORK/out.json'))['findings']))")
  printf '%-8s %9sK %8sms %8sms %12s\n' "$n" "$(( $(stat -c %s "$f") / 1024 ))" "${sorted[0]}" "${sorted[$(( RUNS / 2 ))]}" "$findings"
done
echo
echo "10,000 objects, per stage and per rule (one run):"
"$BIN" lint "$WORK/release-10000.yaml" --format json --fail-on none --timings 2>&1 >/dev/null | head -30
