#!/usr/bin/env bash
# The body of the composite action (action.yml), kept in a script so it can be run and
# tested outside GitHub (scripts/test-action.sh runs it against a fake release).
#
#   scripts/action.sh resolve   which chartguard to use: writes version= and source-key= to
#                               $GITHUB_OUTPUT (for the cache step)
#   scripts/action.sh           installs that chartguard and lints: the SARIF file, annotations
#                               (--format github), the step summary, and sarif-file= in
#                               $GITHUB_OUTPUT
#
# Reads INPUT_* variables (action.yml's inputs). Which binary, first match wins:
#   $CHARTGUARD_BIN                 a binary on this machine (tests, self-hosted runners)
#   version: path:/abs/chartguard   the same, as an input
#   version: source                 `cargo build` of the action's own checkout
#   version: 0.2.0 | v0.2.0 | latest
#                                   the release archive for the runner's OS and architecture,
#                                   checked against the release's SHA256SUMS and cached
#   version: "" (default)           the action's own tag (uses: chartguard/chartguard@v0.2.0);
#                                   a branch or commit (@main, or ./ in this repository) builds
#                                   from source, a major tag (@v1) takes the latest release
set -euo pipefail
# Empty arrays are expanded as ${a[@]+"${a[@]}"}: macOS runners may run bash 3.2, where
# "${a[@]}" of an empty array is an unbound-variable error under `set -u`.
ACTION_PATH="${ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
out() { echo "$1" >>"${GITHUB_OUTPUT:-/dev/null}"; }
words() { tr '\n' ' ' <<<"${1:-}"; }

resolve_version() {
  local v="${INPUT_VERSION:-}"
  if [[ -z "$v" ]]; then
    case "${ACTION_REF:-}" in
      v[0-9]*.[0-9]*.[0-9]*) v="${ACTION_REF}" ;;
      v[0-9]*) v=latest ;;
      *) v=source ;;
    esac
  fi
  echo "$v"
}

if [[ "${1:-}" == resolve ]]; then
  version="$(resolve_version)"
  if [[ "$version" == latest ]]; then
    # Resolve now, so the cache key names the real version.
    url="$(curl -fsSL --retry 3 -o /dev/null -w '%{url_effective}' \
      "${CHARTGUARD_RELEASES_URL:-https://github.com/chartguard/chartguard/releases}/latest")"
    version="${url##*/}"
  fi
  version="${version#v}"
  out "version=$version"
  out "source-key=$(cat "$ACTION_PATH/Cargo.lock" "$ACTION_PATH/Cargo.toml" | { sha256sum 2>/dev/null || shasum -a 256; } | cut -c1-16)"
  exit 0
fi

version="$(resolve_version)"
if [[ -n "${CHARTGUARD_BIN:-}" ]]; then
  BIN="$CHARTGUARD_BIN"
elif [[ "$version" == path:* ]]; then
  BIN="${version#path:}"
elif [[ "$version" == source ]]; then
  # Lint-once builds gain nothing from LTO (it only slows the build): the release profile
  # without it. The action's target/ is cached by action.yml, keyed on Cargo.lock.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo build --release --locked --quiet --manifest-path "$ACTION_PATH/Cargo.toml"
  BIN="$ACTION_PATH/target/release/chartguard"
else
  BIN="$("$ACTION_PATH/scripts/release-download.sh" "$version")"
fi
[[ -x "$BIN" ]] || { echo "::error title=chartguard::no chartguard binary at $BIN"; exit 2; }
# Later steps of the job can call `chartguard` too.
if [[ -n "${GITHUB_PATH:-}" ]]; then dirname "$BIN" >>"$GITHUB_PATH"; fi

HELM_ARGS=()
if ! command -v helm >/dev/null 2>&1; then
  "$ACTION_PATH/scripts/install-tools.sh" helm >/dev/null
  HELM_ARGS=(--helm-bin "$ACTION_PATH/.tools/helm4/helm")
fi

read -r -a CHARTS <<<"$(words "${INPUT_CHARTS:?charts input is required}")"
ARGS=()
for v in $(words "${INPUT_VALUES:-}"); do ARGS+=(-f "$v"); done
for d in $(words "${INPUT_POLICY_DIR:-}"); do ARGS+=(--policy-dir "$d"); done
if [[ "${INPUT_ALL_ENVIRONMENTS:-false}" == "true" ]]; then
  ARGS+=(--all-environments)
else
  ARGS+=(--profile "${INPUT_PROFILE:-prod}")
fi
[[ -n "${INPUT_CONFIG:-}" ]] && ARGS+=(--config "$INPUT_CONFIG")
[[ -n "${INPUT_KUBE_VERSION:-}" ]] && ARGS+=(--kube-version "$INPUT_KUBE_VERSION")
[[ -n "${INPUT_BASELINE:-}" ]] && ARGS+=(--baseline "$INPUT_BASELINE")
[[ -n "${INPUT_PREVIOUS:-}" ]] && ARGS+=(--previous "$INPUT_PREVIOUS")
# `args`: more lint flags, split on white space (no shell quoting: a value with spaces needs
# .chartguard.yaml instead).
read -r -a EXTRA <<<"$(words "${INPUT_ARGS:-}")"
ARGS+=(${EXTRA[@]+"${EXTRA[@]}"})
SARIF="${INPUT_SARIF_FILE:-chartguard.sarif}"
CATEGORY=(--category "${INPUT_CATEGORY:-chartguard}")

rm -f "$SARIF"
help="$("$BIN" lint --help)"
set +e
if grep -q -- '--sarif-output' <<<"$help"; then
  # One lint: annotations on stdout, SARIF beside them, the verdict as the exit code.
  "$BIN" lint "${CHARTS[@]}" "${ARGS[@]}" ${HELM_ARGS[@]+"${HELM_ARGS[@]}"} "${CATEGORY[@]}" \
    --format github --sarif-output "$SARIF" --fail-on "${INPUT_FAIL_ON:-warning}"
  code=$?
else
  # A release before --sarif-output: SARIF first (never failing, so upload-sarif still runs),
  # then annotations, the step summary and the verdict.
  "$BIN" lint "${CHARTS[@]}" "${ARGS[@]}" ${HELM_ARGS[@]+"${HELM_ARGS[@]}"} "${CATEGORY[@]}" \
    --format sarif --output "$SARIF" --fail-on none
  code=$?
  if [[ "$code" -eq 0 ]]; then
    "$BIN" lint "${CHARTS[@]}" "${ARGS[@]}" ${HELM_ARGS[@]+"${HELM_ARGS[@]}"} --format github --fail-on "${INPUT_FAIL_ON:-warning}"
    code=$?
  fi
fi
set -e
if [[ -s "$SARIF" ]]; then
  out "sarif-file=$SARIF"
fi
if [[ "$code" -ge 2 ]]; then
  echo "::error title=chartguard::chartguard could not lint ${CHARTS[*]} (exit $code)"
fi
exit "$code"
