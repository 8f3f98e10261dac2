#!/usr/bin/env bash
# Load test of the admission webhook (`chartguard serve`); not part of the test suite.
#
# Builds the release binary, starts it on loopback with a throw-away certificate (openssl),
# drives POST /validate with wrk for $DURATION over $CONNECTIONS keep-alive connections
# with a mix of AdmissionReviews (tests/admission/*.json: compliant, denied, updates,
# delete, dry run, and 2 of 8 malformed or wrong-version bodies answered 400), and prints
# requests/s, latency percentiles, errors and the server's RSS before and after.
#
#   scripts/loadtest.sh                     # 20 s, 32 connections, 2 wrk threads
#   DURATION=60s CONNECTIONS=64 scripts/loadtest.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-}
# MIX=valid: only the 6 reviews that are evaluated (no DELETE, no malformed bodies).
MIX=${MIX:-all}

if ! command -v wrk >/dev/null; then
    echo "loadtest: installing wrk (Debian package)" >&2
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1; then
        apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
    fi
fi
command -v openssl >/dev/null || { echo "loadtest: openssl is needed for the test certificate" >&2; exit 2; }

cargo build --release --quiet
bin=target/release/chartguard

work=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$work/tls.key" -out "$work/tls.crt" >/dev/null 2>&1

extra=()
[ -n "$WORKERS" ] && extra+=(--workers "$WORKERS")
"$bin" serve --addr 127.0.0.1:0 --no-config --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" "${extra[@]}" \
    >"$work/stdout" 2>"$work/stderr" &
pid=$!
for _ in $(seq 1 300); do
    grep -q listening "$work/stdout" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/stderr" >&2; exit 1; }
    sleep 0.1
done
addr=$(sed -n 's/^chartguard: listening on //p' "$work/stdout")
[ -n "$addr" ] || { echo "loadtest: the server printed no address" >&2; cat "$work/stderr" >&2; exit 1; }
rss() { awk '/^VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$pid/status"; }

cat >"$work/mix.lua" <<'LUA'
local files = {
  "create-deployment-compliant.json", "create-pod-root-secret.json",
  "update-deployment-new-problem.json", "update-deployment-pre-existing.json",
  "delete-deployment.json", "dry-run-pod-root-secret.json",
  "malformed.json", "wrong-api-version.json",
}
if os.getenv("MIX") == "valid" then
  files = {
    "create-deployment-compliant.json", "create-pod-root-secret.json",
    "update-deployment-new-problem.json", "update-deployment-pre-existing.json",
    "dry-run-pod-root-secret.json", "create-deployment-compliant.json",
  }
end
local bodies = {}
local n = 0
init = function(args)
  for i, f in ipairs(files) do
    local h = assert(io.open("tests/admission/" .. f, "rb"))
    bodies[i] = h:read("*a")
    h:close()
  end
end
request = function()
  n = n % #bodies + 1
  return wrk.format("POST", "/validate", {["Content-Type"] = "application/json"}, bodies[n])
end
LUA

export MIX
# Warm up (first connections, allocator) before measuring.
wrk -t1 -c4 -d2s --timeout 5s -s "$work/mix.lua" "$addr/validate" >/dev/null
echo "server: $addr, $(sed -n 's/^chartguard: \(.*ready.*\)/\1/p' "$work/stderr")"
echo "RSS before: $(rss)"
MIX=$MIX timeout 300 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout 5s --latency -s "$work/mix.lua" "$addr/validate" | tee "$work/wrk.txt"
echo "RSS after: $(rss)"
echo "--- server metrics"
curl -sk --max-time 5 "$addr/metrics" | grep -E '^chartguard_webhook_(requests_total|dry_run|request_duration_seconds_(count|sum))' || true
kill -TERM "$pid"
status=0
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
wait "$pid" || status=$?
echo "server exit status after SIGTERM: $status"
[ "$MIX" = valid ] || echo "(non-2xx above: the 2 of 8 bodies that are malformed or of the wrong apiVersion, answered 400)"
