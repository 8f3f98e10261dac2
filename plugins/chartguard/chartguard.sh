#!/usr/bin/env bash
# `helm chartguard …` → `chartguard …`, rendering with the Helm that called us and in its
# namespace: Helm consumes -n/--namespace and --kube-context itself and passes them as
# HELM_NAMESPACE / HELM_KUBECONTEXT.
set -euo pipefail
BIN="${CHARTGUARD_BIN:-$(command -v chartguard || true)}"
if [[ -z "$BIN" ]]; then
  echo "helm chartguard: chartguard is not on PATH (or set CHARTGUARD_BIN)" >&2
  exit 2
fi
if [[ "${1:-}" == "lint" ]]; then
  shift
  extra=()
  [[ -n "${HELM_BIN:-}" ]] && extra+=(--helm-bin "$HELM_BIN")
  # Helm sets HELM_NAMESPACE to `default` when no -n is given (and no kube context names
  # one): passing that on would override helm.namespace in .chartguard.yaml. So `default`
  # is not passed; `-n default` with a config that names another namespace needs
  # `helm chartguard lint --namespace default` after `lint`.
  [[ -n "${HELM_NAMESPACE:-}" && "${HELM_NAMESPACE}" != "default" ]] &&
    extra+=(--namespace "$HELM_NAMESPACE")
  exec "$BIN" lint "${extra[@]}" "$@"
fi
exec "$BIN" "$@"
