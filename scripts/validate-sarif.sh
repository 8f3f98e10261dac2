#!/usr/bin/env bash
# Validates SARIF files the way GitHub code scanning will see them:
#   (a) against the OASIS SARIF 2.1.0 JSON schema (tests/sarif/sarif-schema-2.1.0.json), with Python jsonschema;
#   (b) with the SARIF Multitool: validate --rule-kind "Sarif;Ghas" --config tests/sarif/github.config.xml
#       (GitHub's policy from microsoft/sarif-sdk). The Multitool exits 0 even when it finds errors, so its
#       output report is read and error-level results are counted.
# Usage: scripts/validate-sarif.sh FILE.sarif [...]
# Exit:  0 = every file passed both checks with zero errors (warnings/notes are listed, not fatal)
#        1 = at least one error in at least one file (or a validator failed to run properly)
#        2 = tooling not installed (run scripts/install-tools.sh sarif) or bad usage
# Env:   SARIF_VALIDATE_NOTES=1 lists Multitool notes one by one (default: one summary line).
#        SARIF_SCHEMA / SARIF_CONFIG override the schema / Multitool policy file.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SARIF_TOOLS="$ROOT/.tools/sarif"
MULTITOOL="$SARIF_TOOLS/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
PY="$SARIF_TOOLS/venv/bin/python"
SCHEMA="${SARIF_SCHEMA:-$ROOT/tests/sarif/sarif-schema-2.1.0.json}"
CONFIG="${SARIF_CONFIG:-$ROOT/tests/sarif/github.config.xml}"

if [[ $# -eq 0 ]]; then
  echo "usage: $0 FILE.sarif [...]" >&2
  exit 2
fi

missing=()
[[ -x "$MULTITOOL" ]] || missing+=("SARIF Multitool ($MULTITOOL)")
{ [[ -x "$PY" ]] && "$PY" -c 'import jsonschema' >/dev/null 2>&1; } || missing+=("Python jsonschema ($PY)")
[[ -f "$SCHEMA" ]] || missing+=("schema $SCHEMA")
[[ -f "$CONFIG" ]] || missing+=("multitool config $CONFIG")
if [[ ${#missing[@]} -gt 0 ]]; then
  for m in "${missing[@]}"; do echo "validate-sarif: missing: $m" >&2; done
  echo "validate-sarif: run scripts/install-tools.sh sarif" >&2
  exit 2
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# ---- (a) JSON schema -------------------------------------------------------------------------------
cat >"$TMP/schema_check.py" <<'PYEOF'
import json, sys
import jsonschema
from jsonschema.validators import validator_for

schema_path, instance_path = sys.argv[1], sys.argv[2]
with open(schema_path, encoding="utf-8-sig") as f:
    schema = json.load(f)
try:
    with open(instance_path, encoding="utf-8-sig") as f:
        instance = json.load(f)
except (OSError, ValueError) as e:
    print(f"  schema: ERROR  file is not readable JSON: {e}")
    sys.exit(1)

cls = validator_for(schema)          # the schema's own "$schema" draft (draft-04 for OASIS errata01)
cls.check_schema(schema)
validator = cls(schema, format_checker=cls.FORMAT_CHECKER)

def path_of(err):
    p = "$"
    for part in err.absolute_path:
        p += f"[{part}]" if isinstance(part, int) else f".{part}"
    return p

errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
for e in errors:
    msg = e.message if len(e.message) <= 300 else e.message[:300] + "..."
    print(f"  schema: ERROR  {path_of(e)}: {msg}")
    # anyOf/oneOf failures: show the sub-errors, they name the real problem
    for sub in sorted(e.context or [], key=lambda s: list(map(str, s.absolute_path)))[:6]:
        print(f"          - {path_of(sub)}: {sub.message[:200]}")
print(f"  schema: {len(errors)} error(s)  [{schema_path.rsplit('/', 1)[-1]}, {cls.__name__}]")
sys.exit(1 if errors else 0)
PYEOF

# ---- (b) Multitool report reader ----------------------------------------------------------------------
cat >"$TMP/report_check.py" <<'PYEOF'
import json, os, re, sys

report_path, console_path, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
show_notes = os.environ.get("SARIF_VALIDATE_NOTES") == "1"
problems = []   # reasons the run itself cannot be trusted; each counts as an error

console = ""
try:
    with open(console_path, encoding="utf-8", errors="replace") as f:
        console = f.read()
except OSError:
    pass

if rc != 0:
    problems.append(f"multitool exited with status {rc}")
m = re.search(r"Done\.\s+(\d+)\s+files?\s+scanned", console)
if not m:
    problems.append("multitool console output lacks 'Done. N files scanned' (crash or bad arguments?)")
elif int(m.group(1)) != 1:
    problems.append(f"multitool scanned {m.group(1)} files, expected 1")

report = None
if not os.path.isfile(report_path):
    problems.append("multitool wrote no output report")
else:
    try:
        with open(report_path, encoding="utf-8-sig") as f:
            report = json.load(f)
    except ValueError as e:
        problems.append(f"multitool output report is not valid JSON: {e}")
if report is not None and not (isinstance(report.get("runs"), list) and report["runs"]
                               and isinstance(report["runs"][0], dict)
                               and isinstance(report["runs"][0].get("results"), list)):
    problems.append("multitool output report has no runs[0].results array")
    report = None

errors, warnings, notes = [], [], []

def fmt_message(msg, rule):
    if not isinstance(msg, dict):
        return str(msg)
    text = msg.get("text")
    if text is None and rule is not None and msg.get("id"):
        text = ((rule.get("messageStrings") or {}).get(msg["id"]) or {}).get("text")
    args = msg.get("arguments") or []
    if text is None:
        return f"[{msg.get('id')}] " + "; ".join(map(str, args))
    return re.sub(r"\{(\d+)\}", lambda mm: str(args[int(mm.group(1))]) if int(mm.group(1)) < len(args) else mm.group(0), text)

def where(obj):
    try:
        pl = obj["locations"][0]["physicalLocation"]
        r = pl.get("region", {})
        return f"line {r.get('startLine', '?')}:{r.get('startColumn', '?')}"
    except (KeyError, IndexError, TypeError):
        return "no location"

if report is not None:
    for run in report["runs"]:
        rules = ((run.get("tool") or {}).get("driver") or {}).get("rules") or []
        by_id = {r.get("id"): r for r in rules if isinstance(r, dict)}
        for res in run.get("results") or []:
            rule = None
            idx = res.get("ruleIndex")
            if isinstance(idx, int) and 0 <= idx < len(rules):
                rule = rules[idx]
            elif res.get("ruleId") in by_id:
                rule = by_id[res.get("ruleId")]
            # SARIF: absent level -> rule's defaultConfiguration.level -> "warning"
            level = res.get("level") or ((rule or {}).get("defaultConfiguration") or {}).get("level") or "warning"
            rid = res.get("ruleId", "?")
            if rule and rule.get("name"):
                rid = f"{rid}.{rule['name']}"
            line = f"{rid} ({where(res)}): {fmt_message(res.get('message'), rule)}"
            {"error": errors, "warning": warnings}.get(level, notes).append(line)
        for inv in run.get("invocations") or []:
            if inv.get("executionSuccessful") is False:
                problems.append("multitool invocation reports executionSuccessful=false")
            for kind in ("toolExecutionNotifications", "toolConfigurationNotifications"):
                for n in inv.get(kind) or []:
                    did = ((n.get("descriptor") or {}).get("id")) or "?"
                    text = fmt_message(n.get("message"), None)
                    lvl = n.get("level") or "warning"
                    if did.startswith("WRN999.RuleExplicitlyDisabled"):
                        continue  # expected: github.config.xml disables SARIF2016 on purpose
                    line = f"{did} [{kind}]: {text}"
                    exc = n.get("exception")
                    if exc:
                        line += f" ({exc.get('kind')}: {exc.get('message')})"
                    (errors if lvl == "error" else warnings).append(line)

for p in problems:
    print(f"  multitool: ERROR  {p}")
for e in errors:
    print(f"  multitool: ERROR  {e}")
for w in warnings:
    print(f"  multitool: warning  {w}")
if show_notes:
    for n in notes:
        print(f"  multitool: note  {n}")
elif notes:
    ids = sorted({n.split(" ", 1)[0] for n in notes})
    print(f"  multitool: {len(notes)} note(s) (SARIF_VALIDATE_NOTES=1 to list): {', '.join(ids)}")
n_err = len(errors) + len(problems)
print(f"  multitool: {n_err} error(s), {len(warnings)} warning(s), {len(notes)} note(s)")
if problems and console.strip():
    print("  multitool console output:")
    for l in console.strip().splitlines()[-20:]:
        print(f"    | {l}")
sys.exit(1 if n_err else 0)
PYEOF

status=0
i=0
for f in "$@"; do
  i=$((i + 1))
  echo "== $f"
  if [[ ! -f "$f" ]]; then
    echo "  ERROR  no such file"
    status=1
    continue
  fi
  abs="$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"

  "$PY" "$TMP/schema_check.py" "$SCHEMA" "$abs"
  schema_rc=$?
  [[ $schema_rc -eq 0 ]] || status=1

  out="$TMP/report-$i.sarif"
  con="$TMP/console-$i.txt"
  # The file goes first: --log takes a list and would swallow a file name placed after it.
  # (There is no --force flag; "--log ForceOverwrite" is the overwrite switch.)
  (cd "$TMP" && "$MULTITOOL" validate "$abs" \
      --rule-kind "Sarif;Ghas" \
      --config "$CONFIG" \
      --level "Error;Warning;Note" \
      --output "$out" \
      --log ForceOverwrite) >"$con" 2>&1
  mt_rc=$?
  "$PY" "$TMP/report_check.py" "$out" "$con" "$mt_rc"
  report_rc=$?
  [[ $report_rc -eq 0 ]] || status=1

  if [[ $schema_rc -ne 0 && $report_rc -eq 0 ]]; then
    echo "  note: the multitool silently skips its rules for a file it cannot deserialize (e.g. an unknown"
    echo "        'level' value), so its '0 errors' here does not vouch for this file."
  fi
  if [[ $schema_rc -eq 0 && $report_rc -eq 0 ]]; then echo "  OK"; else echo "  FAILED"; fi
done
exit $status
