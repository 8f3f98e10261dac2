#!/usr/bin/env bash
# Differential test of chartguard's built-in renderer against the real Helm 3.17.2 and 4.1.4.
#
# Renders every chart under tests/charts and examples/charts, and every chart of
# ../shared/corpus (when present) with its default values, with its corpus-values.yaml /
# corpus-flags, and with each of its ci/*.yaml, once with `chartguard render --helm-major N`
# and once with .tools/helmN/helm, both given the same flags (--kube-version and
# --api-versions explicitly). Reports per render: byte-identical, document-equal (parsed
# YAML equal; strings produced by random/time/crypto functions compared by shape), or the
# first differing line; failures must fail the same way (same message).
#
# Usage: scripts/render-diff.sh [--no-corpus] [--majors "3 4"] [--only NAME]
# Env:   CHARTGUARD  the binary (default: target/debug/chartguard, built if missing)
#        OUT         where to keep the renders (default: target/render-diff)
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=1
majors="3 4"
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-corpus) corpus=0 ;;
    --majors) majors="$2"; shift ;;
    --only) only="$2"; shift ;;
    *) echo "render-diff.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

CHARTGUARD="${CHARTGUARD:-target/debug/chartguard}"
if [ ! -x "$CHARTGUARD" ]; then
  cargo build -q -p chartguard
fi
OUT="${OUT:-target/render-diff}"
rm -rf "$OUT"
mkdir -p "$OUT"
KUBE=1.32.0
APIS=monitoring.coreos.com/v1

# One case per line: <case-id>\t<chart dir>\t<extra flags (space separated)>
cases="$OUT/cases.tsv"
: >"$cases"
case_flags=()
[ "$corpus" = 1 ] || case_flags+=(--no-corpus)
[ -z "$only" ] || case_flags+=(--only "$only")
scripts/chart-cases.sh "${case_flags[@]}" >"$cases"

while IFS=$'\t' read -r id dir flags; do
  for m in $majors; do
    # shellcheck disable=SC2086
    .tools/helm$m/helm template "$(basename "$dir")" "$dir" $flags --kube-version $KUBE --api-versions $APIS \
      >"$OUT/$id.helm$m.yaml" 2>"$OUT/$id.helm$m.err" && echo 0 >"$OUT/$id.helm$m.rc" || echo $? >"$OUT/$id.helm$m.rc"
    # shellcheck disable=SC2086
    "$CHARTGUARD" render --helm-major "$m" "$(basename "$dir")" "$dir" $flags --kube-version $KUBE --api-versions $APIS \
      >"$OUT/$id.native$m.yaml" 2>"$OUT/$id.native$m.err" && echo 0 >"$OUT/$id.native$m.rc" || echo $? >"$OUT/$id.native$m.rc"
  done
done <"$cases"

python3 - "$OUT" "$majors" <<'PY'
import base64, os, re, sys, yaml

out, majors = sys.argv[1], sys.argv[2].split()
cases = [l.rstrip("\n").split("\t")[0] for l in open(os.path.join(out, "cases.tsv"))]

def read(p):
    with open(p, "rb") as f:
        return f.read().decode("utf-8", "replace")

B64 = re.compile(r"[A-Za-z0-9+/]")

def shape(s):
    """What a generated value keeps from render to render: PEM block types, the shape of
    base64-encoded text, the length and punctuation of random text."""
    if "-----BEGIN" in s:
        return ("pem", tuple(re.findall(r"-----BEGIN ([A-Z ]+)-----", s)))
    if len(s) >= 8 and len(s) % 4 == 0 and re.fullmatch(r"[A-Za-z0-9+/]+=*", s):
        try:
            return ("b64", shape(base64.b64decode(s, validate=True).decode("utf-8")))
        except Exception:
            pass
    # bcrypt hashes (htpasswd): their alphabet has '.' too.
    s = re.sub(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}", "<bcrypt>", s)
    return ("str", B64.sub("x", s))

def same(a, b):
    """Parsed YAML equal; strings that differ must have the same shape (random values)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, str) and isinstance(b, str) and a != b:
        # A block of text holding generated values (a config file with a password): line by line.
        la, lb = a.split("\n"), b.split("\n")
        if len(la) > 1 and len(la) == len(lb) and "-----BEGIN" not in a:
            return all(x == y or shape(x) == shape(y) for x, y in zip(la, lb))
        return shape(a) == shape(b)
    return a == b and type(a) == type(b)

def diffs(a, b, path=""):
    """Paths whose values differ (by shape), for the report of document-equal renders."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in a if k in b for d in diffs(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in diffs(x, y, f"{path}[{i}]")]
    return [path.lstrip(".")] if a != b else []

def docs(text):
    """(# Source, parsed document) per document."""
    res = []
    for chunk in re.split(r"(?m)^---\s*$", text):
        if not chunk.strip():
            continue
        m = re.search(r"(?m)^# Source: (.*)$", chunk)
        try:
            d = yaml.safe_load(chunk)
        except Exception as e:
            d = ("unparsable", str(e))
        res.append((m.group(1) if m else None, d))
    return res

def first_diff(a, b):
    la, lb = a.split("\n"), b.split("\n")
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return f"line {i+1}: helm {x[:100]!r} vs native {y[:100]!r}"
    return f"line {min(len(la), len(lb))+1}: one output ends (helm {len(la)} lines, native {len(lb)})"

def canonical(msg):
    """Sibling lines sorted, recursively: Helm lists schema violations in Go map order."""
    lines = [l for l in msg.splitlines() if l.strip()]
    lines = [" " + l if l.lstrip().startswith("- ") else l for l in lines]
    def tree(ls):
        out, i = [], 0
        ind = lambda l: len(l) - len(l.lstrip())
        while i < len(ls):
            j = i + 1
            while j < len(ls) and ind(ls[j]) > ind(ls[i]):
                j += 1
            out.append(ls[i] + "\n" + "".join(sorted(tree(ls[i + 1:j]))))
            i = j
        return out
    return "".join(sorted(tree(lines)))

def masked(msg, native):
    """Helm's quoted values masked where chartguard's message masks them."""
    if "got ****," in native:
        # Integers from 1000 up are masked too, in the forms Helm 4 prints them
        # (`got 70,000,`, `got 1.234567×10⁰⁶,`): a numeric password is a value.
        msg = re.sub(r"got -?[0-9]+(?:[,.][0-9]+)*(?:×10[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?,",
                     lambda m: "got ****," if ("," in m.group(0)[4:-1] or "×" in m.group(0)) else m.group(0), msg)
    if "'****'" not in native and '"****"' not in native:
        return msg
    for q in "'\"":
        msg = re.sub(q + "[^" + q + "\\n]{3,}" + q, lambda m: q + "****" + q if m.group(0) not in native else m.group(0), msg)
    return msg

counts = {m: {"identical": 0, "equal": 0, "same-error": 0, "unsupported": 0, "mismatch": 0} for m in majors}
report = []
for c in cases:
    for m in majors:
        h = read(os.path.join(out, f"{c}.helm{m}.yaml"))
        n = read(os.path.join(out, f"{c}.native{m}.yaml"))
        hrc = read(os.path.join(out, f"{c}.helm{m}.rc")).strip()
        nrc = read(os.path.join(out, f"{c}.native{m}.rc")).strip()
        herr = read(os.path.join(out, f"{c}.helm{m}.err")).strip()
        nerr = read(os.path.join(out, f"{c}.native{m}.err")).strip()
        if "unsupported by the built-in renderer" in nerr:
            status, why = "unsupported", nerr.splitlines()[-1]
        elif hrc != "0" or nrc != "0":
            herr_msg = "\n".join(l for l in herr.splitlines() if l.startswith("Error:") or not re.match(r"^(WARNING|walk\.go|info|level=|time=)", l))
            nerr_msg = "\n".join(l for l in nerr.splitlines() if l.startswith("Error:") or not re.match(r"^(WARNING|walk\.go|info|level=|time=|skipping)", l))
            if hrc != "0" and nrc != "0" and (herr_msg == nerr_msg or canonical(masked(herr_msg, nerr_msg)) == canonical(nerr_msg)):
                status, why = "same-error", ""
            else:
                status, why = "mismatch", f"helm rc={hrc} {herr_msg[:300]!r} / native rc={nrc} {nerr_msg[:300]!r}"
        elif h == n:
            status, why = "identical", ""
        else:
            hd, nd = docs(h), docs(n)
            if len(hd) == len(nd) and all(hs == ns and same(hv, nv) for (hs, hv), (ns, nv) in zip(hd, nd)):
                paths = sorted({p for (hs, hv), (ns, nv) in zip(hd, nd) for p in diffs(hv, nv)})
                status, why = "equal", "generated values differ at: " + ", ".join(paths[:6]) + (" …" if len(paths) > 6 else "")
            else:
                status, why = "mismatch", first_diff(h, n)
        counts[m][status] += 1
        report.append(f"{status:11} helm{m} {c}" + (f"  {why}" if why else ""))

for l in report:
    print(l)
print()
for m in majors:
    k = counts[m]
    total = sum(k.values())
    print(f"Helm {m}: {total} renders: {k['identical']} byte-identical, {k['equal']} document-equal (not identical), "
          f"{k['same-error']} failing with Helm's message, {k['unsupported']} unsupported, {k['mismatch']} mismatches")
sys.exit(1 if any(counts[m]["mismatch"] for m in majors) else 0)
PY
