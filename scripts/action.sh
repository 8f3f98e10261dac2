#!/usr/bin/env bash
# The body of the composite action (action.yml), kept in a script so it can be run and
# tested outside GitHub. Reads INPUT_* variables; writes the SARIF file, annotations on the
# pull request (--format github), the step summary, and `sarif-file` to $GITHUB_OUTPUT.
set -euo pipefail
ACTION_PATH="${ACTION_PATH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"

case "${INPUT_VERSION:-source}" in
  path:*) BIN="${INPUT_VERSION#path:}" ;;
  *)
    if [[ -n "${CHARTGUARD_BIN:-}" ]]; then
      BIN="$CHARTGUARD_BIN"
    else
      cargo build --release --locked --quiet --manifest-path "$ACTION_PATH/Cargo.toml"
      BIN="$ACTION_PATH/target/release/chartguard"
    fi
    ;;
esac

HELM_ARGS=()
if ! command -v helm >/dev/null 2>&1; then
  "$ACTION_PATH/scripts/install-tools.sh" helm >/dev/null
  HELM_ARGS=(--helm-bin "$ACTION_PATH/.tools/helm4/helm")
fi

read -r -a CHARTS <<< "$(echo "${INPUT_CHARTS:?charts input is required}" | tr '\n' ' ')"
ARGS=()
for v in $(echo "${INPUT_VALUES:-}" | tr '\n' ' '); do ARGS+=(-f "$v"); done
if [[ "${INPUT_ALL_ENVIRONMENTS:-false}" == "true" ]]; then
  ARGS+=(--all-environments)
else
  ARGS+=(--profile "${INPUT_PROFILE:-prod}")
fi
SARIF="${INPUT_SARIF_FILE:-chartguard.sarif}"

# SARIF for code scanning (never fails the step: upload-sarif must still run) …
set +e
"$BIN" lint "${CHARTS[@]}" "${ARGS[@]}" "${HELM_ARGS[@]}" --format sarif --output "$SARIF" \
  --category "${INPUT_CATEGORY:-chartguard}" --fail-on none
code=$?
set -e
if [[ "$code" -ne 0 && ! -s "$SARIF" ]]; then
  echo "::error title=chartguard::chartguard could not lint ${CHARTS[*]} (exit $code)"
  exit "$code"
fi
echo "sarif-file=$SARIF" >> "${GITHUB_OUTPUT:-/dev/null}"
# … then annotations, the step summary and the verdict.
"$BIN" lint "${CHARTS[@]}" "${ARGS[@]}" "${HELM_ARGS[@]}" --format github --fail-on "${INPUT_FAIL_ON:-warning}"
