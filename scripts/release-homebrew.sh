#!/usr/bin/env bash
# Fills packaging/homebrew/chartguard.rb with a release's version and the archives' SHA256
# from its SHA256SUMS, and prints the formula. Fails when a placeholder is left (an archive
# missing from SHA256SUMS). Usage: scripts/release-homebrew.sh VERSION SHA256SUMS
set -euo pipefail
version="${1:?usage: release-homebrew.sh VERSION SHA256SUMS}"
sums="${2:?usage: release-homebrew.sh VERSION SHA256SUMS}"
template="$(dirname "${BASH_SOURCE[0]}")/../packaging/homebrew/chartguard.rb"
formula="$(sed "s/@VERSION@/${version#v}/g" "$template")"
while read -r hash name; do
  name="${name#\*}"
  [[ "$name" =~ ^chartguard-(.+)\.tar\.gz$ ]] || continue
  formula="${formula//@SHA256_${BASH_REMATCH[1]}@/$hash}"
done <"$sums"
if grep -q '@[A-Z0-9_]*[-a-z0-9_]*@' <<<"$formula"; then
  echo "release-homebrew: placeholders left (archives missing from $sums):" >&2
  grep -o '@[A-Z0-9_]*[-a-z0-9_]*@' <<<"$formula" | sort -u >&2
  exit 1
fi
printf '%s\n' "$formula"
