#!/usr/bin/env bash
# Runs `chartguard gate` for Helm 4's post-renderer plugin. chartguard is found through
# $CHARTGUARD_BIN, then on PATH. Extra --post-renderer-args (e.g. --report=gate.txt,
# --profile dev) are passed on.
set -euo pipefail
BIN="${CHARTGUARD_BIN:-$(command -v chartguard || true)}"
if [[ -z "$BIN" ]]; then
  echo "chartguard-gate: chartguard is not on PATH (or set CHARTGUARD_BIN)" >&2
  exit 2
fi
exec "$BIN" gate "$@"
