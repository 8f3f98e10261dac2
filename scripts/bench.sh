#!/usr/bin/env bash
# Benchmark: times `chartguard lint` (release build, JSON output) on generated releases and
# prints, per release, the median of N runs of wall time, CPU time (user+sys) and peak memory
# (max RSS), plus the findings; with BASE=<binary>, the same runs of that binary side by side
# (runs alternate, so both see the same load). Then per-stage and per-rule times from
# `--timings` for the 10,000-object releases. Not part of the test suite (timings are not
# asserted in tests); figures go in the README ("Performance").
#
# Releases:
#   copies-N   copies of the example charts' rendered output, renamed so every object is
#              distinct (and every reference to a name renamed alike, so each copy has the
#              examples' findings); hooks and tests only in the first copy (as in an umbrella
#              release)
#   related-N  a release rich in cross-object relations: every workload with its Service, PDB,
#              HPA, ServiceMonitor, NetworkPolicy, ExternalSecret (and SecretStore), ConfigMap,
#              ServiceAccount and backup/migration hooks, each group selecting its own pods
#   configmap-200k  one ConfigMap with 200,000 keys
#
# Usage: scripts/bench.sh [runs]          (default 5)
# Env:   BIN=<binary>    the chartguard to time (default: build target/release/chartguard)
#        BASE=<binary>   a baseline to time side by side
#        SIZES="…"       which releases (default: all of them)
#        BIG_RUNS=<n>    runs for the 100,000-object releases (default: runs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RUNS="${1:-5}"
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked --quiet -p chartguard --bin chartguard
  BIN=./target/release/chartguard
fi
SIZES="${SIZES:-copies-100 copies-1000 copies-10000 copies-100000 related-1000 related-10000 related-100000 configmap-200k}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

python3 - "$WORK" $SIZES <<'PY'
import re, sys
work, sizes = sys.argv[1], sys.argv[2:]

def copies(n):
    docs = []
    for f in ["examples/rendered/classic-mistakes.yaml", "examples/rendered/prod-ready.yaml"]:
        for d in open(f).read().split("\n---\n"):
            if "kind:" in d:
                docs.append(d.strip("-\n"))
    # Every copy renames each name (of objects, labels, containers, ports) so releases do not
    # collapse into duplicates, and renames it wherever the examples refer to it as well
    # (serviceAccountName, priorityClassName, secretKeyRef, a probe's or Service's named port):
    # a copy then keeps the examples' own references and has their findings, no more. Names
    # the hooks use and no other object is called keep their value: later copies have no hooks,
    # and their workloads read the Secret the first copy's ExternalSecret hook makes.
    found = lambda docs: {m.group(2) for d in docs for m in re.finditer(r"(name: [\"']?)([a-z][a-z0-9-]*)", d)}
    hooks = [d for d in docs if "helm.sh/hook" in d]
    objects = {m.group(1) for d in docs if d not in hooks
               for m in re.finditer(r"^metadata:\n(?:  .*\n)*?  name: [\"']?([a-z][a-z0-9-]*)", d, re.M)}
    names = found(docs) - (found(hooks) - objects)
    scalar = re.compile(r"((?::|-|\[|\{|,) [\"']?)([a-z][a-z0-9-]*)(?=[\"']?[ \t]*(?:$|,|\}|\]|#))", re.M)
    out, i = [], 0
    while len(out) < n:
        rename = lambda m: m.group(1) + m.group(2) + (f"-{i}" if m.group(2) in names else "")
        for d in docs:
            if len(out) >= n:
                break
            if i > 0 and "helm.sh/hook" in d:
                continue
            # Hook annotations keep their values: a hook named like an object stays a hook.
            out.append("\n".join(l if "helm.sh/" in l else scalar.sub(rename, l) for l in d.split("\n")))
        i += 1
    return out

def group(i):
    app = f"app-{i}"
    sel = lambda ind: f"app.kubernetes.io/name: {app}\n" + " " * ind + "app.kubernetes.io/instance: rel"
    hardened = """securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}"""
    resources = """resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {memory: 256Mi}"""
    pod_security = """securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault"""
    docs = [f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  labels:
    app.kubernetes.io/name: {app}
spec:
  replicas: 3
  selector:
    matchLabels:
      {sel(6)}
  template:
    metadata:
      labels:
        {sel(8)}
        app.kubernetes.io/component: api
    spec:
      serviceAccountName: {app}
      {pod_security}
      containers:
        - name: app
          image: registry.example.com/{app}:1.2.{i}
          ports:
            - {{name: http, containerPort: 8080}}
            - {{name: metrics, containerPort: 9090}}
          env:
            - {{name: DB_HOST, value: db-{i}.example.com}}
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {{name: {app}-db, key: password}}
          envFrom:
            - configMapRef: {{name: {app}-config}}
          readinessProbe:
            httpGet: {{path: /ready, port: http}}
          livenessProbe:
            httpGet: {{path: /live, port: http}}
          {resources}
          {hardened}""",
        f"""apiVersion: v1
kind: Service
metadata:
  name: {app}
  labels:
    {sel(4)}
spec:
  selector:
    {sel(4)}
  ports:
    - {{name: http, port: 80, targetPort: http}}
    - {{name: metrics, port: 9090, targetPort: metrics}}""",
        f"""apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {app}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      {sel(6)}""",
        f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {app}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {app}}}
  minReplicas: 3
  maxReplicas: 10""",
        f"""apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {app}
spec:
  selector:
    matchLabels:
      {sel(6)}
  endpoints:
    - port: metrics""",
        f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {app}
spec:
  podSelector:
    matchLabels:
      {sel(6)}
  policyTypes: [Ingress]
  ingress:
    - ports:
        - port: 8080""",
        f"""apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: {app}-db
spec:
  secretStoreRef: {{name: {app}-store, kind: SecretStore}}
  target: {{name: {app}-db}}
  data:
    - secretKey: password
      remoteRef: {{key: {app}/db, property: password}}""",
        f"""apiVersion: external-secrets.io/v1
kind: SecretStore
metadata:
  name: {app}-store
spec:
  provider:
    vault: {{server: "https://vault.example.com", path: secret}}""",
        f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {app}-config
data:
  LOG_FORMAT: json
  CACHE_URL: redis://cache-{i}:6379""",
        f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: {app}
automountServiceAccountToken: false"""]
    for role, weight, cmd in (("backup", -10, "pg_dump"), ("migrate", -5, "migrate up")):
        docs.append(f"""apiVersion: batch/v1
kind: Job
metadata:
  name: {app}-{role}
  annotations:
    "helm.sh/hook": pre-upgrade
    "helm.sh/hook-weight": "{weight}"
    "helm.sh/hook-delete-policy": before-hook-creation,hook-succeeded
spec:
  backoffLimit: 1
  activeDeadlineSeconds: 600
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {app}-{role}
    spec:
      restartPolicy: Never
      {pod_security}
      containers:
        - name: {role}
          image: registry.example.com/{app}-tools:1.2.{i}
          command: [sh, -c, "{cmd}"]
          {resources}
          {hardened}""")
    return docs

def related(n):
    out, i = [], 0
    while len(out) < n:
        out.extend(group(i)[: n - len(out)])
        i += 1
    return out

for name in sizes:
    kind, _, size = name.partition("-")
    if kind == "configmap":
        text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n" + "".join(f"  k{i}: v\n" for i in range(200000))
    else:
        docs = (copies if kind == "copies" else related)(int(size))
        text = "---\n" + "\n---\n".join(docs) + "\n"
    open(f"{work}/{name}.yaml", "w").write(text)
PY

# measure <binary> <file> <runs>: one line per run, "wall_ms cpu_ms maxrss_kb findings".
measure() {
  python3 - "$1" "$2" "$3" "$WORK/out.json" <<'PY'
import json, os, subprocess, sys, time
binary, path, runs, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
for _ in range(runs):
    with open(out, "wb") as fh:
        started = time.monotonic()
        p = subprocess.Popen([binary, "lint", path, "--format", "json", "--fail-on", "none"], stdout=fh)
        _, status, ru = os.wait4(p.pid, 0)
        wall = (time.monotonic() - started) * 1000
    findings = len(json.load(open(out))["findings"]) if status == 0 else -1
    print(f"{wall:.0f} {(ru.ru_utime + ru.ru_stime) * 1000:.0f} {ru.ru_maxrss} {findings}")
PY
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "# $(uptime)"
echo "# median of $RUNS runs; wall and CPU (user+sys) in ms, peak RSS in MiB"
printf '%-16s %8s %10s | %8s %8s %7s %9s' release YAML objects wall cpu MiB findings
[ -n "${BASE:-}" ] && printf ' | %8s %8s %7s %9s' base-wall base-cpu MiB findings
echo
for name in $SIZES; do
  f="$WORK/$name.yaml"
  runs="$RUNS"
  case "$name" in *-100000) runs="${BIG_RUNS:-$RUNS}" ;; esac
  : >"$WORK/new.txt"
  : >"$WORK/base.txt"
  for _ in $(seq "$runs"); do
    measure "$BIN" "$f" 1 >>"$WORK/new.txt"
    [ -n "${BASE:-}" ] && measure "$BASE" "$f" 1 >>"$WORK/base.txt"
  done
  objects="${name#*-}"
  [ "$name" = configmap-200k ] && objects=1
  row() {
    local file="$1"
    printf ' | %8s %8s %7s %9s' \
      "$(cut -d' ' -f1 "$file" | median)" "$(cut -d' ' -f2 "$file" | median)" \
      "$(( $(cut -d' ' -f3 "$file" | median) / 1024 ))" "$(cut -d' ' -f4 "$file" | head -1)"
  }
  printf '%-16s %7sK %10s' "$name" "$(( $(stat -c %s "$f") / 1024 ))" "$objects"
  row "$WORK/new.txt"
  [ -n "${BASE:-}" ] && row "$WORK/base.txt"
  echo
done
for name in copies-10000 related-10000; do
  case " $SIZES " in *" $name "*) ;; *) continue ;; esac
  echo
  echo "$name, per stage and per rule (one run, rules timed one by one):"
  "$BIN" lint "$WORK/$name.yaml" --format json --fail-on none --timings 2>"$WORK/timings.txt" >/dev/null || true
  head -16 "$WORK/timings.txt"
done
