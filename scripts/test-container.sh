#!/usr/bin/env bash
# Builds the container image (Containerfile, FROM scratch) from the static release binary with
# buildah and runs it: `--version`, a lint of the rendered examples (findings and exit codes),
# a lint from stdin, and `chartguard serve` answering /healthz over TLS. Base images cannot be
# pulled here and no container engine runs, so buildah builds with the vfs driver and runs
# with chroot isolation (host network), in a throw-away storage root.
#
# Usage: scripts/test-container.sh [BINARY]
#   BINARY defaults to dist/chartguard (scripts/release-build.sh); it must be static.
# Exits 0 with "test-container: skipped …" when buildah is not installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

if ! command -v buildah >/dev/null 2>&1; then
  echo "test-container: skipped: buildah is not installed (apt-get install buildah)"
  exit 0
fi
bin="${1:-${CHARTGUARD_STATIC_BIN:-$ROOT/dist/chartguard}}"
if [[ ! -x "$bin" ]]; then
  echo "test-container: no binary at $bin: run scripts/release-build.sh first" >&2
  exit 2
fi
if readelf -l "$bin" | grep -q 'Requesting program interpreter'; then
  echo "test-container: $bin is dynamically linked; FROM scratch needs a static binary" >&2
  exit 2
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  buildah "${store[@]}" rm --all >/dev/null 2>&1 || true
  buildah "${store[@]}" rmi --all --force >/dev/null 2>&1 || true
  # vfs layers are plain directories, some read-only: make them removable first.
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
store=(--root "$work/storage" --runroot "$work/run" --storage-driver vfs)
passed=0
failed=0
check() { # $1 = description, rest = command that must succeed
  local what="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "ok: $what"; else failed=$((failed + 1)); echo "FAILED: $what"; fi
}

# The build context the release workflow lays out: linux-<arch>/chartguard and an empty tmp/.
ctx="$work/context"
mkdir -p "$ctx/linux-amd64" "$ctx/tmp"
cp "$bin" "$ctx/linux-amd64/chartguard"
image=localhost/chartguard:test
buildah "${store[@]}" build --isolation chroot --quiet --layers=false \
  --build-arg TARGETARCH=amd64 --build-arg VERSION=test --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
  -f Containerfile -t "$image" "$ctx" >/dev/null

config="$(buildah "${store[@]}" inspect --type image "$image")"
size="$(buildah "${store[@]}" images --format '{{.Size}}' "$image")"
echo "test-container: image built, $size"
check "runs as 65532:65532" grep -q '"User": "65532:65532"' <<<"$config"
check "entrypoint is chartguard" grep -q '"/usr/local/bin/chartguard"' <<<"$config"
check "exposes 8443" grep -q '"8443/tcp"' <<<"$config"
check "OCI labels" grep -q '"org.opencontainers.image.source": "https://github.com/chartguard/chartguard"' <<<"$config"

ctr="$(buildah "${store[@]}" from --quiet "$image")"
run() { buildah "${store[@]}" run --isolation chroot "$@"; }

# buildah's chroot runner has once been seen (1 run in 4, machine loaded) to lose the output
# of a process that exits at once; a retry tells that apart from a binary printing nothing.
version=""
for _ in 1 2 3; do
  version="$(run "$ctr" -- /usr/local/bin/chartguard --version)"
  [[ -n "$version" ]] && break
done
echo "test-container: $version"
check "--version" grep -q '^chartguard ' <<<"$version"

# Lint the rendered examples (Helm is not in the image, so charts are linted rendered).
set +e
out="$(run -v "$ROOT/examples/rendered:/work:ro" "$ctr" -- /usr/local/bin/chartguard lint /work/classic-mistakes.yaml --format json)"
code=$?
run -v "$ROOT/examples/rendered:/work:ro" "$ctr" -- /usr/local/bin/chartguard lint /work/prod-ready.yaml >/dev/null
clean=$?
stdin_out="$(run "$ctr" -- /usr/local/bin/chartguard lint - --format json <"$ROOT/examples/rendered/classic-mistakes.yaml")"
stdin_code=$?
set -e
count() { python3 -c 'import json,sys; print(len(json.load(sys.stdin)["findings"]))'; }
check "lint of classic-mistakes exits 1" test "$code" -eq 1
check "lint of classic-mistakes finds the planted mistakes" test "$(count <<<"$out")" -ge 10
check "lint of prod-ready exits 0" test "$clean" -eq 0
check "lint from stdin (exit $stdin_code) matches the file lint" test "$stdin_code" -eq 1 -a "$(count <<<"$stdin_out")" -eq "$(count <<<"$out")"

# The webhook: a throw-away certificate for 127.0.0.1, mounted read-only like the Secret is.
mkdir -p "$work/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=chartguard-test \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls/tls.key" -out "$work/tls/tls.crt" 2>/dev/null
chmod 0644 "$work/tls/tls.key" # the image's user must read it (the test's own files)
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
run -v "$work/tls:/tls:ro" "$ctr" -- /usr/local/bin/chartguard serve --addr "127.0.0.1:$port" \
  --tls-cert /tls/tls.crt --tls-key /tls/tls.key --no-config >"$work/serve.log" 2>&1 &
pids+=("$!")
healthz=""
for _ in $(seq 1 120); do # up to 60 s: the machine is shared
  healthz="$(curl -fsS --max-time 2 --cacert "$work/tls/tls.crt" "https://127.0.0.1:$port/healthz" 2>/dev/null)" && break
  sleep 0.5
done
check "webhook answers /healthz over TLS" test -n "$healthz"
review="$(curl -sS --max-time 10 --cacert "$work/tls/tls.crt" -H 'Content-Type: application/json' \
  --data-binary @"$ROOT/tests/admission/create-pod-root-secret.json" "https://127.0.0.1:$port/validate" 2>/dev/null || true)"
denied() { python3 -c 'import json,sys; r=json.load(sys.stdin)["response"]; sys.exit(r["allowed"] is not False or r["status"]["code"] != 403)'; }
check "webhook denies a root pod with a plaintext secret" denied <<<"$review"
# The server is a child of the chroot runner (buildah → runtime → exec → chartguard), which
# does not pass signals on: find it among the runner's descendants.
descendants() { local p; for p in $(ps -o pid= --ppid "$1"); do echo "$p"; descendants "$p"; done; }
serve_pid=""
for p in $(descendants "${pids[0]}"); do
  [[ "$(ps -o comm= -p "$p")" == chartguard ]] && serve_pid="$p"
done
pids=("$serve_pid" "${pids[@]}")
check "the server runs as uid 65532" test "$(ps -o uid= -p "$serve_pid" | tr -d ' ')" = 65532
kill -TERM "$serve_pid" 2>/dev/null || true
set +e
wait "${pids[1]}"
serve_code=$?
set -e
check "SIGTERM ends the server with exit 0 (got $serve_code)" test "$serve_code" -eq 0
if [[ "$failed" -ne 0 ]]; then
  echo "--- serve log"; cat "$work/serve.log"
fi
echo "test-container: $passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
