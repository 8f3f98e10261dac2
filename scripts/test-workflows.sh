#!/usr/bin/env bash
# Static checks of the release and CI machinery, no network: actionlint on every workflow
# (with shellcheck on their run: blocks), shellcheck on the packaging scripts, the release
# notes taken from CHANGELOG.md, and the Homebrew formula filled from a SHA256SUMS.
# Usage: scripts/test-workflows.sh   (tools from scripts/install-tools.sh ship)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/install-tools.sh ship >/dev/null
export PATH="$PWD/.tools/ship/venv/bin:$PATH" # actionlint finds shellcheck on PATH
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
check() {
  local what="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok: $what"; else failed=$((failed + 1)); echo "FAILED: $what"; fi
}

for wf in .github/workflows/*.yml; do
  check "actionlint $wf" actionlint -no-color "$wf"
done
# `uses: ./` in chartguard.yml is checked against action.yml's inputs by actionlint; the
# action's scripts and the other packaging scripts by shellcheck.
check "shellcheck on the packaging scripts" shellcheck scripts/action.sh scripts/pre-commit-hook.sh \
  scripts/release-*.sh scripts/test-action.sh scripts/test-container.sh scripts/test-precommit.sh \
  scripts/test-workflows.sh

# Every release needs notes: the current version has a CHANGELOG section (or Unreleased does).
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
notes() { scripts/release-notes.sh "$@" >"$work/notes.md" 2>"$work/notes.err"; }
only_section() { ! grep -q '^## \[' "$work/notes.md" && ! grep -q '^\[.*\]: http' "$work/notes.md"; }
fails() { ! "$@"; }
check "CHANGELOG.md has a section for $version" notes "$version"
check "the notes are the section only" only_section
check "a version without a section fails" fails notes 0.0.0-none

for t in aarch64-apple-darwin x86_64-apple-darwin aarch64-unknown-linux-gnu x86_64-unknown-linux-gnu; do
  printf '%s  chartguard-%s.tar.gz\n' "$(printf '%s' "$t" | sha256sum | cut -d' ' -f1)" "$t"
done >"$work/SHA256SUMS"
formula() { scripts/release-homebrew.sh 1.2.3 "$1" >"$work/chartguard.rb" 2>"$work/formula.err"; }
check "the Homebrew formula is filled" formula "$work/SHA256SUMS"
check "with every archive's checksum" test "$(grep -c 'sha256 "[0-9a-f]\{64\}"' "$work/chartguard.rb")" -eq 4
head -1 "$work/SHA256SUMS" >"$work/SHA256SUMS.partial"
check "a missing archive fails" fails formula "$work/SHA256SUMS.partial"
if command -v ruby >/dev/null 2>&1; then
  check "the formula is valid Ruby" ruby -c "$work/chartguard.rb"
fi

echo "test-workflows: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
