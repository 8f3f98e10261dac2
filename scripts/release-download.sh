#!/usr/bin/env bash
# Downloads the chartguard release archive for this machine, checks it against the release's
# SHA256SUMS, unpacks it into a cache and prints the binary's path. Used by the GitHub Action
# (scripts/action.sh) and the pre-commit hook (scripts/pre-commit-hook.sh).
#
# Usage: scripts/release-download.sh VERSION [TARGET]
#   VERSION  0.2.0, v0.2.0 or latest
#   TARGET   default: this machine (RUNNER_OS/RUNNER_ARCH on GitHub, else uname)
# Env:
#   CHARTGUARD_RELEASES_URL  default https://github.com/chartguard/chartguard/releases
#                            (any URL curl reads, file:// included: the tests use a fake release)
#   CHARTGUARD_CACHE         default $RUNNER_TOOL_CACHE/chartguard, else ~/.cache/chartguard
#
# The SHA256SUMS file is fetched on every call, also on a cache hit: a cached archive is
# trusted only while it still matches the published checksum. A mismatch is exit 2 and
# nothing is unpacked.
set -euo pipefail

releases="${CHARTGUARD_RELEASES_URL:-https://github.com/chartguard/chartguard/releases}"
releases="${releases%/}"
say() { echo "chartguard-download: $*" >&2; }
fail() {
  # An annotation on GitHub, a plain message elsewhere.
  # stderr: stdout is the path the caller captures (the runner reads commands on both).
  if [[ -n "${GITHUB_ACTIONS:-}" ]]; then echo "::error title=chartguard::$*" >&2; fi
  say "error: $*"
  exit 2
}

host_target() {
  local os="${RUNNER_OS:-$(uname -s)}" arch="${RUNNER_ARCH:-$(uname -m)}"
  case "$os/$arch" in
    Linux/X64 | Linux/x86_64 | Linux/amd64) echo x86_64-unknown-linux-gnu ;;
    Linux/ARM64 | Linux/aarch64 | Linux/arm64) echo aarch64-unknown-linux-gnu ;;
    macOS/ARM64 | Darwin/arm64) echo aarch64-apple-darwin ;;
    macOS/X64 | Darwin/x86_64) echo x86_64-apple-darwin ;;
    Windows/X64 | MINGW*/x86_64 | MSYS*/x86_64 | CYGWIN*/x86_64) echo x86_64-pc-windows-msvc ;;
    *) fail "no release binary for $os/$arch: build from source (cargo install --locked chartguard)" ;;
  esac
}

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

version="${1:?usage: release-download.sh VERSION [TARGET]}"
target="${2:-$(host_target)}"
if [[ "$version" == latest ]]; then
  # The /latest page redirects to the newest release's tag page; no API token needed.
  url="$(curl -fsSL --retry 3 -o /dev/null -w '%{url_effective}' "$releases/latest")" \
    || fail "cannot reach $releases/latest"
  version="${url##*/}"
fi
version="${version#v}"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] || fail "not a release version: '$version'"

case "$target" in
  *-windows-*) asset="chartguard-$target.zip" exe=chartguard.exe ;;
  *) asset="chartguard-$target.tar.gz" exe=chartguard ;;
esac
cache="${CHARTGUARD_CACHE:-${RUNNER_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}}/chartguard}"
dir="$cache/$version/$target"
mkdir -p "$dir"
base="$releases/download/v$version"

curl -fsSL --retry 3 -o "$dir/SHA256SUMS" "$base/SHA256SUMS" || fail "cannot download $base/SHA256SUMS"
# `sha256sum` writes "<hash>  <name>" (or "<hash> *<name>" in binary mode).
want="$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1 }' "$dir/SHA256SUMS")"
[[ "$want" =~ ^[0-9a-f]{64}$ ]] || fail "$base/SHA256SUMS has no checksum for $asset"

if [[ -f "$dir/$asset" && "$(sha256 "$dir/$asset")" != "$want" ]]; then
  say "the cached $asset does not match SHA256SUMS; downloading it again"
  rm -rf "${dir:?}/$asset" "${dir:?}/chartguard-$target"
fi
if [[ ! -f "$dir/$asset" ]]; then
  say "downloading $base/$asset"
  curl -fsSL --retry 3 -o "$dir/$asset.part" "$base/$asset" || fail "cannot download $base/$asset"
  got="$(sha256 "$dir/$asset.part")"
  if [[ "$got" != "$want" ]]; then
    rm -f "$dir/$asset.part"
    fail "checksum mismatch for $asset: SHA256SUMS says $want, the download is $got"
  fi
  mv "$dir/$asset.part" "$dir/$asset"
  rm -rf "${dir:?}/chartguard-$target"
fi
if [[ ! -x "$dir/chartguard-$target/$exe" ]]; then
  case "$asset" in
    *.zip) (cd "$dir" && unzip -q -o "$asset") ;;
    *) tar -xzf "$dir/$asset" -C "$dir" ;;
  esac
fi
[[ -x "$dir/chartguard-$target/$exe" ]] || fail "$asset holds no chartguard-$target/$exe"
echo "$dir/chartguard-$target/$exe"
