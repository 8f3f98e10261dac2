#!/usr/bin/env bash
# Runs `chartguard gate` for Helm 4's post-renderer plugin. chartguard is found through
# $CHARTGUARD_BIN, then on PATH. Extra --post-renderer-args (e.g. --report=gate.txt,
# --profile dev) are passed on.
#
# Helm 4 discards a post-renderer's stderr and prints only "plugin exited with error". So
# the report must land where a person can read it: the terminal (chartguard tries it), the
# --report FILE given, else $CHARTGUARD_GATE_REPORT, else (no terminal: CI)
# ./chartguard-gate-report.txt, which a pipeline prints when helm fails.
set -uo pipefail

report=""
prev=""
for a in "$@"; do
  case "$a" in
    --report=*) report="${a#--report=}" ;;
  esac
  [[ "$prev" == "--report" ]] && report="$a"
  prev="$a"
done
args=("$@")
if [[ -z "$report" ]]; then
  if [[ -n "${CHARTGUARD_GATE_REPORT:-}" ]]; then
    report="$CHARTGUARD_GATE_REPORT"
  elif ! { : >/dev/tty; } 2>/dev/null; then
    report="chartguard-gate-report.txt"
  fi
  [[ -n "$report" ]] && args+=("--report=$report")
fi

BIN="${CHARTGUARD_BIN:-$(command -v chartguard || true)}"
if [[ -z "$BIN" ]]; then
  msg="chartguard-gate: chartguard is not on PATH (install it, or set CHARTGUARD_BIN); the release was not checked and is blocked"
  echo "$msg" >&2
  { echo "$msg" >/dev/tty; } 2>/dev/null || true
  [[ -n "$report" ]] && echo "$msg" >"$report"
  exit 2
fi
exec "$BIN" gate "${args[@]}"
