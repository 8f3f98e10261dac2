#!/usr/bin/env bash
# The pre-commit hook with the real pre-commit (PyPI, .tools/ship/venv): a throw-away chart
# repository whose .pre-commit-config.yaml points at this checkout at HEAD (pre-commit clones
# it, as it would github.com/chartguard/chartguard at a tag). Checks that a commit touching a
# broken chart is refused with chartguard's findings, that a clean chart passes, that files
# outside charts do not run chartguard, and that `args:` reach the lint.
#
# Usage: scripts/test-precommit.sh   (after `cargo build`; uses target/debug/chartguard)
# The hook repository is HEAD: commit the hook's changes before running this.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
bin="${CHARTGUARD_TEST_BIN:-$ROOT/target/debug/chartguard}"
[[ -x "$bin" ]] || cargo build --locked --quiet
scripts/install-tools.sh ship >/dev/null
[[ -x "$ROOT/.tools/helm4/helm" ]] || scripts/install-tools.sh helm >/dev/null
precommit="$ROOT/.tools/ship/venv/bin/pre-commit"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache" # pre-commit's clones, not the user's ~/.cache
export PATH="$ROOT/.tools/helm4:$PATH"
export CHARTGUARD_BIN="$bin"
export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@example.com GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@example.com
passed=0
failed=0
check() {
  local what="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok: $what"; else failed=$((failed + 1)); echo "FAILED: $what"; fi
}

not_grep() { ! grep -q "$1" "$2"; }

repo="$work/charts-repo"
mkdir -p "$repo/charts" "$repo/docs"
cp -r examples/charts/prod-ready "$repo/charts/"
cp -r examples/charts/classic-mistakes "$repo/charts/"
echo "# charts" >"$repo/docs/README.md"
rev="$(git rev-parse HEAD)"
config() { # $1 = hook args as a YAML flow list
  cat >"$repo/.pre-commit-config.yaml" <<EOF
repos:
  - repo: $ROOT
    rev: $rev
    hooks:
      - id: chartguard
        args: $1
EOF
}
config "[--fail-on=error]"
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" -c core.hooksPath=/dev/null commit -qm "charts"
(cd "$repo" && "$precommit" install >/dev/null)

set +e
# 1. The whole repository: the broken chart fails the hook, with chartguard's findings.
(cd "$repo" && "$precommit" run --all-files) >"$work/all.log" 2>&1
all=$?
# 2. A commit that touches only the clean chart passes (and lints only that chart).
echo "# touched" >>"$repo/charts/prod-ready/values.yaml"
git -C "$repo" add charts/prod-ready/values.yaml
git -C "$repo" commit -qm "touch prod-ready" >"$work/clean.log" 2>&1
clean=$?
# 3. A commit that touches the broken chart is refused by the git hook.
echo "# touched" >>"$repo/charts/classic-mistakes/templates/deployment.yaml"
git -C "$repo" add charts/classic-mistakes/templates/deployment.yaml
git -C "$repo" commit -qm "touch classic-mistakes" >"$work/broken.log" 2>&1
broken=$?
git -C "$repo" reset -q --hard HEAD
# 4. Files outside charts: the hook is skipped.
echo more >>"$repo/docs/README.md"
git -C "$repo" add docs/README.md
git -C "$repo" commit -qm "docs" >"$work/docs.log" 2>&1
docs=$?
# 5. args reach the lint: with --fail-on=none the broken chart passes.
config "[--fail-on=none, --profile=dev]"
(cd "$repo" && "$precommit" run --all-files) >"$work/args.log" 2>&1
args=$?
set -e

check "run --all-files fails on the broken chart (exit $all)" test "$all" -eq 1
check "with chartguard's findings" grep -q 'error\[hook-weight-order\]' "$work/all.log"
check "naming the broken chart's template" grep -q 'charts/classic-mistakes/templates/' "$work/all.log"
check "a commit of the clean chart passes (exit $clean)" test "$clean" -eq 0
check "and lints only that chart" not_grep 'classic-mistakes' "$work/clean.log"
check "a commit of the broken chart is refused (exit $broken)" test "$broken" -ne 0
check "with the findings" grep -q 'error\[hook-weight-order\]' "$work/broken.log"
check "a docs-only commit skips chartguard (exit $docs)" grep -q 'chartguard.*(no files to check)Skipped' "$work/docs.log"
check "args: --fail-on=none passes (exit $args)" test "$args" -eq 0
if [[ "$failed" -ne 0 ]]; then
  for f in "$work"/*.log; do echo "--- $f"; tail -30 "$f"; done
fi
echo "test-precommit: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
