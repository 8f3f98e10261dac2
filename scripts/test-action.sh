#!/usr/bin/env bash
# The GitHub Action end to end, outside GitHub: scripts/action.sh (both of action.yml's steps)
# against a fake release served from file:// — an archive laid out as scripts/release-build.sh
# makes it, holding the debug binary, and its SHA256SUMS. Checks the download, the checksum
# (a mismatch fails and leaves nothing behind), the cache (a second run needs no archive; a
# tampered cached archive is replaced), the inputs, and one lint giving SARIF and annotations.
#
# Usage: scripts/test-action.sh   (after `cargo build`; uses target/debug/chartguard)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
bin="${CHARTGUARD_TEST_BIN:-$ROOT/target/debug/chartguard}"
[[ -x "$bin" ]] || cargo build --locked --quiet
[[ -x "$ROOT/.tools/helm4/helm" ]] || scripts/install-tools.sh helm >/dev/null

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
target="$(RUNNER_OS='' RUNNER_ARCH='' bash -c 'source <(sed -n "/^host_target()/,/^}/p" scripts/release-download.sh); host_target')"
passed=0
failed=0
check() {
  local what="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok: $what"; else failed=$((failed + 1)); echo "FAILED: $what"; fi
}

# A fake release: <releases>/download/v<version>/{chartguard-<target>.tar.gz,SHA256SUMS}.
releases="$work/releases"
release() { # $1 = version; the archive's checksum is right unless $2 = bad
  local dir="$releases/download/v$1"
  mkdir -p "$dir/stage/chartguard-$target"
  cp "$bin" "$dir/stage/chartguard-$target/chartguard"
  cp LICENSE README.md "$dir/stage/chartguard-$target/" 2>/dev/null || true
  tar -czf "$dir/chartguard-$target.tar.gz" -C "$dir/stage" "chartguard-$target"
  rm -rf "$dir/stage"
  (cd "$dir" && sha256sum "chartguard-$target.tar.gz" >SHA256SUMS)
  if [[ "${2:-}" == bad ]]; then
    # A checksum no archive has (flipping one digit could land on the same digit).
    sed -i 's/^[0-9a-f]\{64\}/'"$(printf '0%.0s' {1..64})"'/' "$dir/SHA256SUMS"
  fi
}
release 9.9.9
release 9.9.8 bad

# Runs the action as GitHub would: the resolve step, then the lint step with its output.
action() { # $1 = case name; env INPUT_* as the caller sets them
  local name="$1"
  mkdir -p "$work/$name"
  : >"$work/$name/output"
  (
    export CHARTGUARD_RELEASES_URL="file://$releases" RUNNER_TOOL_CACHE="$work/toolcache"
    export GITHUB_OUTPUT="$work/$name/output" GITHUB_PATH="$work/$name/path"
    export GITHUB_STEP_SUMMARY="$work/$name/summary.md" GITHUB_ACTIONS=true
    export INPUT_SARIF_FILE="$work/$name/out.sarif" ACTION_PATH="$ROOT"
    export PATH="$ROOT/.tools/helm4:$PATH"
    unset CHARTGUARD_BIN
    bash scripts/action.sh resolve >"$work/$name/resolve.log" 2>&1
    resolved="$(sed -n 's/^version=//p' "$work/$name/output")"
    INPUT_VERSION="$resolved" bash scripts/action.sh >"$work/$name/stdout" 2>"$work/$name/stderr"
  )
}
lacks() { ! grep -q "$1" "$2"; }
has_word() { [[ " $2 " == *" $1 "* ]]; }
not() { ! "$@"; }
sarif_results() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["runs"][0]["results"]))' "$1"; }
sarif_rules() { python3 -c 'import json,sys; print(" ".join(sorted({r["ruleId"] for r in json.load(open(sys.argv[1]))["runs"][0]["results"]})))' "$1"; }

export INPUT_CHARTS="examples/charts/classic-mistakes" INPUT_ALL_ENVIRONMENTS=true INPUT_FAIL_ON=error \
  INPUT_CATEGORY=examples/classic-mistakes

# 1. A release by version: downloaded, verified, cached, linted once.
code=0
INPUT_VERSION=v9.9.9 action first || code=$?
check "the action fails on the chart's errors (exit $code)" test "$code" -eq 1
check "it resolved v9.9.9 to 9.9.9" grep -qx 'version=9.9.9' "$work/first/output"
check "it wrote sarif-file to GITHUB_OUTPUT" grep -qx "sarif-file=$work/first/out.sarif" "$work/first/output"
check "the SARIF has results" test "$(sarif_results "$work/first/out.sarif")" -gt 0
check "annotations on stdout" grep -q '^::error file=examples/charts/classic-mistakes/templates/' "$work/first/stdout"
check "the step summary" grep -q 'plaintext-secret' "$work/first/summary.md"
cached="$work/toolcache/chartguard/9.9.9/$target/chartguard-$target/chartguard"
check "the binary is in the tool cache" test -x "$cached"
check "its directory is added to GITHUB_PATH" grep -qx "$(dirname "$cached")" "$work/first/path"

# 2. Cached: the archive may vanish from the release, SHA256SUMS is still checked.
mv "$releases/download/v9.9.9/chartguard-$target.tar.gz" "$work/archive.tar.gz"
code=0
INPUT_VERSION=9.9.9 action cached || code=$?
check "a second run works from the cache (exit $code)" test "$code" -eq 1
check "and downloads no archive" lacks downloading "$work/cached/stderr"
mv "$work/archive.tar.gz" "$releases/download/v9.9.9/chartguard-$target.tar.gz"

# 3. A tampered cached archive is not trusted: downloaded again.
echo tampered >>"$work/toolcache/chartguard/9.9.9/$target/chartguard-$target.tar.gz"
code=0
INPUT_VERSION=9.9.9 action tampered || code=$?
check "a tampered cache is replaced (exit $code)" test "$code" -eq 1
check "with a message" grep -q 'does not match SHA256SUMS; downloading it again' "$work/tampered/stderr"

# 4. A checksum mismatch fails before anything runs, and caches nothing.
code=0
INPUT_VERSION=9.9.8 action mismatch || code=$?
check "a checksum mismatch fails with exit 2 (got $code)" test "$code" -eq 2
check "naming the mismatch as an annotation" grep -q '^::error title=chartguard::checksum mismatch for chartguard-' "$work/mismatch/stderr"
check "nothing unpacked or kept" test ! -e "$work/toolcache/chartguard/9.9.8/$target/chartguard-$target" -a ! -e "$work/toolcache/chartguard/9.9.8/$target/chartguard-$target.tar.gz"
check "no SARIF" test ! -e "$work/mismatch/out.sarif"

# 5. A version that was never released fails clearly.
code=0
INPUT_VERSION=9.9.7 action missing || code=$?
check "an unknown version fails with exit 2 (got $code)" test "$code" -eq 2
check "naming what could not be downloaded" grep -q 'cannot download .*v9.9.7/SHA256SUMS' "$work/missing/stderr"

# 6. Inputs: args, policy-dir, kube-version, config, baseline reach the lint.
code=0
INPUT_VERSION=9.9.9 INPUT_ARGS="--disable plaintext-secret" INPUT_POLICY_DIR="examples/policies" \
  INPUT_KUBE_VERSION=1.33 INPUT_FAIL_ON=none action inputs || code=$?
rules="$(sarif_rules "$work/inputs/out.sarif")"
check "inputs: exit 0 with fail-on none (got $code)" test "$code" -eq 0
check "inputs: args disables plaintext-secret" not has_word plaintext-secret "$rules"
check "inputs: the policy dir's rule team-label ran" has_word team-label "$rules"
"$bin" lint examples/charts/classic-mistakes --all-environments --helm-bin .tools/helm4/helm \
  --write-baseline "$work/baseline.json" --fail-on none >/dev/null
printf 'profile: prod\n' >"$work/cfg.yaml"
code=0
INPUT_VERSION=9.9.9 INPUT_BASELINE="$work/baseline.json" INPUT_CONFIG="$work/cfg.yaml" action baseline || code=$?
check "baseline: nothing new, exit 0 (got $code)" test "$code" -eq 0
check "baseline: the SARIF has no new results" test "$(sarif_results "$work/baseline/out.sarif")" -eq 0

# 6b. previous: the upgrade rules judge the change from a git ref (HEAD of a repository made
# here holds upgrade-app v1, its working tree v2).
repo="$work/repo"
mkdir -p "$repo"
cp -r tests/charts/upgrade-app-v1 "$repo/app"
git -C "$repo" init --quiet
git -C "$repo" add .
git -C "$repo" -c user.name=t -c user.email=t@example.invalid -c commit.gpgsign=false commit --quiet -m v1
rm -rf "$repo/app" && cp -r tests/charts/upgrade-app-v2 "$repo/app"
code=0
INPUT_VERSION=9.9.9 INPUT_CHARTS="$repo/app" INPUT_ALL_ENVIRONMENTS=false INPUT_PREVIOUS=HEAD \
  INPUT_FAIL_ON=none action previous || code=$?
check "previous: exit 0 with fail-on none (got $code)" test "$code" -eq 0
check "previous: the upgrade rules ran" has_word upgrade-data-loss "$(sarif_rules "$work/previous/out.sarif")"

# 7. A broken input: exit 2, an annotation, no sarif-file output unless SARIF was written.
code=0
INPUT_VERSION=9.9.9 INPUT_CHARTS="does/not/exist" INPUT_ALL_ENVIRONMENTS=false action broken || code=$?
check "a missing chart is exit 2 (got $code)" test "$code" -eq 2
check "with an error annotation" grep -q '^::error title=chartguard::chartguard could not lint does/not/exist' "$work/broken/stdout"

if [[ "$failed" -ne 0 ]]; then
  for f in "$work"/*/stderr; do echo "--- $f"; tail -20 "$f"; done
fi
echo "test-action: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
