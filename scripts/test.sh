#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs the pinned Helm 3 and Helm 4 and the SARIF
# validators into .tools/ (scripts/install-tools.sh), then runs every Rust test (unit tests,
# end-to-end CLI tests with real Helm, the bundled Rego policy tests, SARIF validation) and
# the example custom policy's tests through `chartguard policy test`; then the packaging tests
# (scripts/test-*.sh: workflows, the Action against a fake release, the pre-commit hook, and
# the container image when buildah is installed).
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
for t in workflows action precommit; do
  scripts/test-$t.sh 2>&1 | tee -a "$log"
  [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
done
if command -v buildah >/dev/null 2>&1; then
  # The image needs the static binary: the release build without LTO, which only makes it
  # smaller and faster, not different to run (minutes less on CI's 2 cores).
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 DIST="$PWD/target/dist-test" \
    scripts/release-build.sh >/dev/null && scripts/test-container.sh "$PWD/target/dist-test/chartguard" 2>&1 | tee -a "$log"
  [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
else
  echo "test-container: skipped: buildah is not installed (apt-get install buildah; .ci/run installs it)"
fi
set -e
# One closing line for the whole suite: every Rust test binary's counts and the packaging
# scripts' "test-…: N passed, N failed" lines added up.
python3 - "$log" <<'PY'
import re, sys
passed = failed = 0
text = open(sys.argv[1]).read()
for m in re.finditer(r"test result: \w+\. (\d+) passed; (\d+) failed", text):
    passed += int(m.group(1)); failed += int(m.group(2))
for m in re.finditer(r"^test-[a-z]+: (\d+) passed, (\d+) failed$", text, re.M):
    passed += int(m.group(1)); failed += int(m.group(2))
print(f"chartguard: {passed} passed, {failed} failed")
PY
rm -f "$log"
exit "$status"
