#!/usr/bin/env bash
# Regenerates examples/rendered/*.yaml, the input of `chartguard lint -` examples and tests.
#
#   examples/render.sh            # uses $HELM, else .tools/helm4/helm, else `helm` on PATH
#   HELM=/path/to/helm examples/render.sh
#
# Each file is exactly:
#   helm template <chart> examples/charts/<chart> -f examples/charts/<chart>/values-prod.yaml
# run from the repository root (so "# Source:" comments read "<chart>/templates/...").
# Hooks and helm tests are included: `helm template` renders them unless --no-hooks / --skip-tests.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ -z "${HELM:-}" ]]; then
  if [[ -x .tools/helm4/helm ]]; then
    HELM=.tools/helm4/helm
  elif command -v helm >/dev/null 2>&1; then
    HELM=helm
  else
    echo "render.sh: no Helm found (set HELM, or run scripts/install-tools.sh)" >&2
    exit 1
  fi
fi

echo "render.sh: using $("$HELM" version --short 2>/dev/null || echo "$HELM")" >&2
mkdir -p examples/rendered
for chart in prod-ready classic-mistakes; do
  out="examples/rendered/${chart}.yaml"
  "$HELM" template "$chart" "examples/charts/$chart" \
    -f "examples/charts/$chart/values-prod.yaml" > "$out.tmp"
  mv "$out.tmp" "$out"
  echo "render.sh: wrote $out" >&2
done
