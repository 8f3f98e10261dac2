#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs the pinned Helm 3 and Helm 4 and the SARIF
# validators into .tools/ (scripts/install-tools.sh), then runs every Rust test (unit tests,
# end-to-end CLI tests with real Helm, the bundled Rego policy tests, SARIF validation) and
# the example custom policy's tests through `chartguard policy test`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-tools.sh all
export CHARTGUARD_HELM3="$PWD/.tools/helm3/helm"
export CHARTGUARD_HELM4="$PWD/.tools/helm4/helm"

cargo build --locked --quiet
./target/debug/chartguard policy test examples/policies
log="$(mktemp)"
set +e
cargo test --locked --no-fail-fast 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole suite: every Rust test binary's counts added up.
python3 - "$log" <<'PY'
import re, sys
passed = failed = 0
for m in re.finditer(r"test result: \w+\. (\d+) passed; (\d+) failed", open(sys.argv[1]).read()):
    passed += int(m.group(1)); failed += int(m.group(2))
print(f"chartguard: {passed} passed, {failed} failed")
PY
rm -f "$log"
exit "$status"
