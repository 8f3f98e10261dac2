#!/usr/bin/env bash
# Renders every template of every ../shared/corpus chart through the engine with Helm's coalesced
# values and lists what the engine cannot parse or execute (see corpus.py). Not part of the test
# suite: it needs ../shared and Helm (scripts/install-tools.sh).
# Usage: crates/helm-template/scripts/corpus.sh [chart ...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"
cargo build --release --quiet -p helm-template --example render_chart
exec python3 crates/helm-template/scripts/corpus.py target/release/examples/render_chart \
  "${CORPUS:-$root/../shared/corpus}" "${CHARTGUARD_HELM4:-$root/.tools/helm4/helm}" "$@"
