#!/usr/bin/env bash
# Regenerates what is derived from the rules' METADATA: docs/rules/<id>.md (the
# `chartguard rules explain --markdown` page of each rule) and the rules table in README.md
# (between the `rules:begin` / `rules:end` markers). Tests fail when either is stale.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --locked --quiet
BIN=./target/debug/chartguard
mkdir -p docs/rules
rm -f docs/rules/*.md
for id in $("$BIN" rules --format json | python3 -c 'import json,sys; print("\n".join(r["id"] for r in json.load(sys.stdin)))'); do
  "$BIN" rules explain "$id" --markdown > "docs/rules/$id.md"
done
TABLE="$("$BIN" rules --format markdown)"
python3 - "$TABLE" <<'PY'
import re, sys
table = sys.argv[1].rstrip("\n") + "\n"
readme = open("README.md").read()
new = re.sub(r"(<!-- rules:begin -->\n).*?(<!-- rules:end -->)", lambda m: m.group(1) + table + m.group(2), readme, flags=re.S)
open("README.md", "w").write(new)
PY
echo "docs/rules/ and README.md rules table regenerated"
