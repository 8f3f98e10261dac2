#!/usr/bin/env bash
# Regenerates the template engine's golden expectations (crates/helm-template/tests/golden/expected/)
# by rendering every case in cases/*.yaml with the real Helm 3 and Helm 4 (installed into .tools/
# by scripts/install-tools.sh, or CHARTGUARD_HELM3/CHARTGUARD_HELM4). Idempotent: an unchanged case
# gives byte-identical files. Needs python3 with PyYAML.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec python3 crates/helm-template/tests/golden/gen.py "$@"
