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
#   scripts/loadtest.sh abuse               # huge objects: decision time, peak RSS, CPU
#   BIN=/tmp/chartguard-before scripts/loadtest.sh   # another build (before/after)
#
# `abuse` starts a fresh server per case (--request-timeout $DEADLINE, default 4) and
# sends one huge review: a ConfigMap of 100,000 keys, a Deployment of 10,000 privileged
# containers, both shapes at the 3 MiB body limit, and both just under the 40,000 values
# chartguard judges (39,990 keys, 7,990 containers); it prints the HTTP status, the
# decision, the time to it, the server's peak RSS (VmHWM) and the CPU it used up to the
# answer and in the 3 s after (an evaluation that goes on after its answer shows there).
# Then the 6 huge reviews at once with small ones beside them (their latency and verdict).
# Figures are noisy when other work shares the machine: note `uptime` beside them.
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

# BIN=<binary>: time that build instead (a baseline, for a before/after run side by side).
if [ -n "${BIN:-}" ]; then
    bin=$BIN
else
    cargo build --release --quiet -p chartguard --bin chartguard
    bin=target/release/chartguard
fi
echo "load: $(uptime)"

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

if [ "${1:-}" = abuse ]; then
    DEADLINE=${DEADLINE:-4}
    start() {
        "$bin" serve --addr 127.0.0.1:0 --no-config --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" \
            --request-timeout "$DEADLINE" "${extra[@]}" "$@" >"$work/stdout" 2>"$work/stderr" &
        pid=$!
        for _ in $(seq 1 300); do
            grep -q listening "$work/stdout" 2>/dev/null && break
            sleep 0.1
        done
        addr=$(sed -n 's/^chartguard: listening on //p' "$work/stdout")
    }
    stop() { kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; pid=; }
    hwm() { awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status"; }
    # utime + stime of the server, in seconds.
    cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$pid/stat"; }
    review() { # uid object-json-file -> body file
        { printf '{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"%s","namespace":"default","name":"big","operation":"CREATE","object":' "$1"
          cat "$2"; printf '}}'; } >"$work/$1.json"
    }
    configmap() { # keys
        awk -v n="$1" 'BEGIN { printf "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"big\",\"namespace\":\"default\"},\"data\":{";
            for (i = 0; i < n; i++) printf "%s\"k%d\":\"v%d\"", (i ? "," : ""), i, i; printf "}}" }' >"$work/obj.json"
    }
    deployment() { # containers
        awk -v n="$1" 'BEGIN { printf "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"big\",\"namespace\":\"default\"},\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":{\"app\":\"x\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"x\"}},\"spec\":{\"containers\":[";
            for (i = 0; i < n; i++) printf "%s{\"name\":\"c%d\",\"image\":\"nginx:1.25\",\"securityContext\":{\"privileged\":true}}", (i ? "," : ""), i; printf "]}}}}" }' >"$work/obj.json"
    }
    configmap 100000; review cm100k "$work/obj.json"
    deployment 10000; review dep10k "$work/obj.json"
    # Just under the 3 MiB body limit.
    configmap 165000; review cm3mib "$work/obj.json"
    deployment 40000; review dep3mib "$work/obj.json"
    # Just under --max-object-values (40,000): judged, within the deadline or not.
    configmap 39990; review cm40k "$work/obj.json"
    deployment 7990; review dep8k "$work/obj.json"
    one() { # case -> one line of figures
        start "$@"
        local before; before=$(hwm)
        local out; out=$(curl -sk --max-time 60 -o "$work/resp" -w '%{http_code} %{time_total}' \
            -H 'Content-Type: application/json' --data-binary "@$work/$case.json" "$addr/validate" || true)
        local cpu1; cpu1=$(cpu)
        sleep 3
        local decision
        decision=$( { grep -o '"allowed":[a-z]*' "$work/resp" || true; } | head -1)
        decision="$decision $( { grep -o '"message":"[^"]\{0,60\}' "$work/resp" || true; } | head -1 | cut -c12-)"
        printf '%-8s %6s bytes  HTTP %s s  %s\n' "$case" "$(stat -c %s "$work/$case.json")" "$out" "$decision"
        printf '         RSS idle %s MiB, peak %s MiB; CPU %s s to the answer, %s s in the 3 s after\n' \
            "$before" "$(hwm)" "$cpu1" "$(awk -v a="$(cpu)" -v b="$cpu1" 'BEGIN {printf "%.2f", a - b}')"
        stop
    }
    echo "--- one huge review per fresh server, deadline $DEADLINE s"
    for case in cm100k dep10k cm3mib dep3mib cm40k dep8k; do one; done
    echo "--- the 6 huge reviews at once, 20 small ones beside them (deadline $DEADLINE s)"
    start
    for case in cm100k dep10k cm3mib dep3mib cm40k dep8k; do
        curl -sk --max-time 60 -o "$work/resp-$case" -w "$case: HTTP %{http_code} %{time_total} s\n" \
            -H 'Content-Type: application/json' --data-binary "@$work/$case.json" "$addr/validate" >"$work/huge-$case.txt" &
    done
    sleep 0.3
    for i in $(seq 1 20); do
        curl -sk --max-time 60 -o "$work/small" -w '%{time_total}\n' -H 'Content-Type: application/json' \
            --data-binary @tests/admission/create-pod-root-secret.json "$addr/validate" >>"$work/small-times"
        if grep -q 'run-as-non-root' "$work/small"; then echo judged >>"$work/small-judged"; fi
    done
    wait $(jobs -p | grep -v "^$pid\$") 2>/dev/null || true
    cat "$work"/huge-*.txt
    for case in cm100k dep10k cm3mib dep3mib cm40k dep8k; do
        printf '  %s: %s\n' "$case" "$( { grep -o '"allowed":[a-z]*' "$work/resp-$case" || true; } | head -1) $( { grep -o '"message":"[^"]\{0,70\}' "$work/resp-$case" || true; } | head -1 | cut -c12-)"
    done
    echo "small reviews: $(wc -l <"$work/small-judged" 2>/dev/null || echo 0)/20 judged; seconds min/median/max: $(sort -n "$work/small-times" | awk '{a[NR]=$1} END {printf "%s / %s / %s", a[1], a[int((NR+1)/2)], a[NR]}')"
    echo "peak RSS: $(hwm) MiB"
    stop
    exit 0
fi
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
curl -sk --max-time 5 "$addr/metrics" | grep -E '^chartguard_webhook_(requests_total|unjudged_total|dry_run|request_duration_seconds_(count|sum))' || true
kill -TERM "$pid"
status=0
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
wait "$pid" || status=$?
echo "server exit status after SIGTERM: $status"
[ "$MIX" = valid ] || echo "(non-2xx above: the 2 of 8 bodies that are malformed or of the wrong apiVersion, answered 400)"
