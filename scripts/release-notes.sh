#!/usr/bin/env bash
# Prints the CHANGELOG.md section of one version (without its heading), for the GitHub
# release notes. Fails when the section is missing or empty, so a tag without notes does
# not publish. Usage: scripts/release-notes.sh VERSION [CHANGELOG]   (VERSION: 0.2.0 or Unreleased)
set -euo pipefail
version="${1:?usage: release-notes.sh VERSION [CHANGELOG]}"
version="${version#v}"
changelog="${2:-$(dirname "${BASH_SOURCE[0]}")/../CHANGELOG.md}"
notes="$(awk -v v="$version" '
  /^## \[/ { inside = index($0, "## [" v "]") == 1; next }
  /^\[[^]]+\]: / { inside = 0 }   # the link definitions at the end
  inside { print }
' "$changelog" | sed -e '/./,$!d' | sed -e ':a' -e '/^\n*$/{$d;N;ba' -e '}')"
if [[ -z "${notes//[[:space:]]/}" ]]; then
  echo "release-notes: $changelog has no section '## [$version]' (or it is empty)" >&2
  exit 1
fi
printf '%s\n' "$notes"
