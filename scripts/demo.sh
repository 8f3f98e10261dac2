#!/usr/bin/env bash
# Builds chartguard and lints the example charts with its built-in renderer: no Helm is
# needed, and nothing is installed. Extra arguments go to `chartguard lint`.
#   scripts/demo.sh                       # both example charts, prod values
#   scripts/demo.sh --all-environments    # every environment the charts ship values for
#   scripts/demo.sh --renderer helm       # rendered by a real Helm instead (`helm` from
#                                         # PATH, else the pinned Helm 4 installed into .tools/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo build --release --locked --quiet -p chartguard
helm_args=()
renderer="built-in renderer (no Helm needed)"
if [[ " $* " == *" --renderer helm "* ]]; then
  if command -v helm >/dev/null 2>&1; then
    HELM="$(command -v helm)"
  else
    scripts/install-tools.sh helm >/dev/null
    HELM="$PWD/.tools/helm4/helm"
  fi
  helm_args=(--helm-bin "$HELM")
  renderer="helm $("$HELM" version --short)"
fi
echo "chartguard: $(./target/release/chartguard --version); renderer: $renderer"

lint() { # chart, expected exit code, args…
  local chart="$1" want="$2"; shift 2
  local values=()
  [[ " $* " == *" --all-environments "* ]] || values=(-f "$chart/values-prod.yaml")
  echo
  echo "\$ chartguard lint $chart ${values[*]} $*"
  set +e
  ./target/release/chartguard lint "$chart" ${helm_args[@]+"${helm_args[@]}"} "${values[@]}" "$@"
  local code=$?
  set -e
  echo "(exit code $code)"
  if [[ "$code" != "$want" ]]; then
    echo "demo: expected exit code $want from $chart" >&2
    exit 1
  fi
}

lint examples/charts/prod-ready 0 "$@"
lint examples/charts/classic-mistakes 1 "$@"
