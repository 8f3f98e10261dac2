#!/usr/bin/env python3
"""Regenerates the golden expectations of the template engine with the real Helm binaries.

Run through scripts/gen-template-goldens.sh. Reads cases/*.yaml, writes expected/<major>/<stem>.json.
Never edit the expected files by hand: they are what Helm 3 / Helm 4 printed.

How a case is rendered (see README.md beside this file for the why):
- Cases that render are batched: one scratch chart per Helm run, each case's template in a
  partial `templates/_<id>.tpl`, rendered by a wrapper `templates/<id>.yaml` as
  `b64: {{ include "<partial>" <dot> | b64enc }}`, so the raw bytes survive whatever they are
  (invalid YAML, leading/trailing whitespace). The dot the wrapper passes has the case's own
  values (each case's values live under `.Values.<id>` of the batch) and a `.Template` naming
  `golden/templates/case.yaml`, the name the engine harness renders the case under.
  Helm deletes every literal `<no value>` from a rendered file; the wrapper's include escapes that
  (the text is base64 by then), so the generator applies the same deletion to the decoded text.
- Cases that fail (marked `error:` or detected when a batch fails) are rendered alone, as
  `templates/case.yaml` of their own chart, and Helm's error message is recorded with the
  `Error: ` prefix and the CLI's `Use --debug flag` advice removed.
- The values each case sees are dumped by Helm itself with their Go types (float64 from YAML and
  JSON, int64 from --set, ...), so the harness does not need its own YAML 1.1 loader.
"""
import base64
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit("gen.py needs PyYAML (python3 -m pip install pyyaml)")

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
EXPECTED = os.path.join(HERE, "expected")
CHART = "golden"
CASE_FILE = f"{CHART}/templates/case.yaml"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
FIELDS = {"template", "values", "set", "set_string", "set_json", "partials", "error", "shape", "note"}
MAJORS = ("helm3", "helm4")

# The typed dump of each case's values. typeOf gives Go's type names; Helm 3 and 4 name the
# values map type differently, hence the three map spellings.
TYPED = r'''{{- define "__golden.typed" -}}
{{- $t := typeOf . -}}
{{- if or (eq $t "map[string]interface {}") (eq $t "chartutil.Values") (eq $t "common.Values") -}}
{"map":{ {{- $first := true -}}{{- range $k, $v := . -}}{{ if not $first }},{{ end }}{{ $first = false }}{{ toJson $k }}:{{ include "__golden.typed" $v }}{{- end -}} }}
{{- else if eq $t "[]interface {}" -}}
{"list":[ {{- range $i, $v := . }}{{ if $i }},{{ end }}{{ include "__golden.typed" $v }}{{ end -}} ]}
{{- else if eq $t "<nil>" -}}null
{{- else -}}{ {{- toJson $t }}:{{ toJson . }}}
{{- end -}}
{{- end -}}
{{- define "__golden.values" -}}
{ {{- range $i, $id := keys .Values | sortAlpha }}{{ if $i }},{{ end }}{{ toJson $id }}:{{ include "__golden.typed" (index $.Values $id) }}{{ end -}} }
{{- end -}}
'''

WRAPPER = '''kind: Golden
b64: {{{{ include "{chart}/templates/_{id}.tpl" (dict "Values" (index .Values "{id}") "Release" .Release "Chart" .Chart "Capabilities" .Capabilities "Files" .Files "Subcharts" .Subcharts "Template" (dict "Name" "{case_file}" "BasePath" "{chart}/templates")) | b64enc | quote }}}}
'''


def die(msg):
    sys.exit(f"gen.py: {msg}")


def load_cases():
    cases = []
    seen = set()
    for fname in sorted(os.listdir(CASES)):
        if not fname.endswith(".yaml"):
            continue
        stem = fname[:-5]
        if not NAME_RE.match(stem) or "__" in stem:
            die(f"{fname}: file name must match {NAME_RE.pattern} without '__'")
        with open(os.path.join(CASES, fname), encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        defaults = doc.get("defaults") or {}
        for key, raw in (doc.get("cases") or {}).items():
            if not isinstance(key, str) or not NAME_RE.match(key) or "__" in key:
                die(f"{fname}: case name {key!r} must match {NAME_RE.pattern} without '__'")
            c = {"template": raw} if isinstance(raw, str) else dict(raw)
            for k, v in defaults.items():
                c.setdefault(k, v)
            unknown = set(c) - FIELDS
            if unknown:
                die(f"{fname}: {key}: unknown fields {sorted(unknown)}")
            if not isinstance(c.get("template"), str):
                die(f"{fname}: {key}: template must be a string (quote it)")
            for k in ("values",):
                if k in c and not isinstance(c[k], str):
                    die(f"{fname}: {key}: {k} must be YAML text (a block scalar)")
            for k in ("set", "set_string", "set_json"):
                if k in c and not (isinstance(c[k], list) and all(isinstance(s, str) for s in c[k])):
                    die(f"{fname}: {key}: {k} must be a list of strings")
            for p, text in (c.get("partials") or {}).items():
                if not (isinstance(p, str) and isinstance(text, str) and re.match(r"^_[A-Za-z0-9_.-]+$", p)):
                    die(f"{fname}: {key}: partials need names like _helpers.tpl and string bodies")
            err = c.get("error", False)
            if err not in (False, True, "helm3", "helm4"):
                die(f"{fname}: {key}: error must be true, helm3 or helm4")
            cid = f"{stem}__{key}"
            if cid in seen:
                die(f"duplicate case {cid}")
            seen.add(cid)
            c["id"], c["stem"], c["key"] = cid, stem, key
            c["hash"] = source_hash(c)
            cases.append(c)
    return cases


def source_hash(c):
    """What the harness checks to notice a case edited without regenerating its goldens: sha256
    over the case's fields, each followed by a NUL (simple to compute the same way in Rust)."""
    h = hashlib.sha256()

    def put(s):
        h.update(s.encode())
        h.update(b"\0")

    put(c["template"])
    put(c.get("values") or "")
    for flag in ("set", "set_string", "set_json"):
        put(flag)
        for s in c.get(flag) or []:
            put(s)
    put("partials")
    for name, text in sorted((c.get("partials") or {}).items()):
        put(name)
        put(text)
    return h.hexdigest()[:16]


def defined_names(text):
    return re.findall(r'\{\{-?\s*(?:define|block)\s+"([^"]*)"', text)


def check_unique_defines(cases):
    """Batched cases share one template set: a name defined by two cases would make one of them
    see the other's body in Helm but not in the harness."""
    owner = {}
    for c in cases:
        texts = [c["template"]] + list((c.get("partials") or {}).values())
        for name in {n for t in texts for n in defined_names(t)}:
            if name in owner:
                die(f"define {name!r} used by both {owner[name]} and {c['id']}: make it unique")
            owner[name] = c["id"]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def chart_yaml(d):
    write(os.path.join(d, "Chart.yaml"), f"apiVersion: v2\nname: {CHART}\nversion: 0.1.0\n")


def set_args(c, prefix=""):
    args = []
    for flag in ("set", "set_string", "set_json"):
        for s in c.get(flag) or []:
            args += ["--" + flag.replace("_", "-"), prefix + s]
    return args


def run_helm(helm, chart, extra):
    p = subprocess.run([helm, "template", chart] + extra, capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "surrogateescape"), p.stderr.decode("utf-8", "surrogateescape")


def helm_error(stderr):
    i = stderr.find("Error: ")
    if i < 0:
        return stderr
    msg = stderr[i + len("Error: "):]
    for tail in ("\n\nUse --debug flag to render out invalid YAML\n", "\n"):
        if msg.endswith(tail):
            msg = msg[: -len(tail)]
            break
    return msg


def render_batch(helm, cases, tmp):
    """Renders every case in one Helm run. Returns (outputs, typed values) or (None, culprit id)."""
    d = os.path.join(tmp, "batch")
    shutil.rmtree(d, ignore_errors=True)
    chart_yaml(d)
    t = os.path.join(d, "templates")
    write(os.path.join(t, "_golden_typed.tpl"), TYPED)
    write(os.path.join(t, "~values.yaml"), 'kind: GoldenValues\nb64: {{ include "__golden.values" . | b64enc | quote }}\n')
    values, args = [], []
    for c in cases:
        write(os.path.join(t, f"_{c['id']}.tpl"), c["template"])
        for p, text in (c.get("partials") or {}).items():
            write(os.path.join(t, f"_{c['id']}.partial{p}"), text)
        write(os.path.join(t, f"{c['id']}.yaml"), WRAPPER.format(chart=CHART, id=c["id"], case_file=CASE_FILE))
        v = c.get("values") or "{}"
        values.append(f"{c['id']}:\n" + "".join("  " + line + "\n" for line in v.splitlines()) if v.strip() not in ("", "{}") else f"{c['id']}: {{}}\n")
        args += set_args(c, c["id"] + ".")
    write(os.path.join(tmp, "batch-values.yaml"), "".join(values))
    rc, out, err = run_helm(helm, d, ["-f", os.path.join(tmp, "batch-values.yaml")] + args)
    if rc != 0:
        ids = {c["id"] for c in cases}
        # Only a case's own wrapper names its files, so any case named is the one at fault.
        found = [i for i in re.findall(r"templates/_?([A-Za-z0-9_-]+__[A-Za-z0-9_-]+)\.", err) if i in ids]
        if not found:
            die(f"{helm}: batch failed and no case is named in:\n{err}")
        return None, found[0]
    outputs, typed = {}, None
    for doc in out.split("---\n# Source: ")[1:]:
        path, _, body = doc.partition("\n")
        b64 = yaml.safe_load(body)["b64"]
        raw = base64.b64decode(b64)
        if path.endswith("/~values.yaml"):
            typed = json.loads(raw)
        else:
            cid = path[len(f"{CHART}/templates/"):-len(".yaml")]
            outputs[cid] = raw.replace(b"<no value>", b"")
    missing = {c["id"] for c in cases} - set(outputs)
    if missing or typed is None:
        die(f"{helm}: batch output lacks {sorted(missing) or 'the values dump'}")
    return outputs, typed


def render_alone(helm, c, tmp):
    """Renders one case as its chart's only template, for its error message."""
    d = tempfile.mkdtemp(dir=tmp)
    chart_yaml(os.path.join(d, CHART))
    t = os.path.join(d, CHART, "templates")
    write(os.path.join(t, "case.yaml"), c["template"])
    for p, text in (c.get("partials") or {}).items():
        write(os.path.join(t, p), text)
    write(os.path.join(d, "values.yaml"), c.get("values") or "{}\n")
    # Run from inside d so the chart path in messages is the bare chart name.
    p = subprocess.run([helm, "template", CHART, "-f", "values.yaml"] + set_args(c), cwd=d, capture_output=True)
    if p.returncode == 0:
        return None
    msg = helm_error(p.stderr.decode("utf-8", "surrogateescape"))
    # Helm's YAML check of the rendered file is not the engine's business: the template
    # rendered, so its raw output comes from a batch.
    if msg.startswith("YAML parse error on "):
        return None
    return msg


def generate(major, helm, cases, tmp, known_errors):
    """Renders one file's cases with one Helm. Cases known to fail (marked, or failing with the
    same source last time) are rendered alone; a batch that fails names its culprit, which joins
    them, and the batch is run again. Failing cases stay in the batch with an empty template so
    that their typed values are dumped too."""
    started = time.monotonic()
    alone = {c["id"] for c in cases if c.get("error") in (True, major) or c["id"] in known_errors}
    by_id = {c["id"]: c for c in cases}
    runs = 0
    while True:
        batch = [c if c["id"] not in alone else dict(c, template="", partials={}) for c in cases]
        outputs, typed = render_batch(helm, batch, tmp)
        runs += 1
        if outputs is not None:
            break
        print(f"{major}: {typed} fails", file=sys.stderr)
        alone.add(typed)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        errors = dict(zip(sorted(alone), pool.map(lambda i: render_alone(helm, by_id[i], tmp), sorted(alone))))
    renders = {i for i, e in errors.items() if e is None}
    if renders:
        # Marked as failing but renders with this major: batch it after all.
        for i in sorted(renders):
            print(f"{major}: {i} renders", file=sys.stderr)
            del errors[i]
        batch = [c if c["id"] not in errors else dict(c, template="", partials={}) for c in cases]
        outputs, typed = render_batch(helm, batch, tmp)
        runs += 1
        if outputs is None:
            die(f"{major}: {typed} fails in a batch but renders alone")
    return outputs, errors, typed, runs, time.monotonic() - started


def result_for(c, outputs, errors, typed, previous):
    r = {"hash": c["hash"], "values": typed[c["id"]]["map"] if typed[c["id"]] else {}}
    if c["id"] in errors:
        r["error"] = errors[c["id"]]
        return r
    raw = outputs[c["id"]]
    if c.get("shape"):
        r["shape"] = c["shape"]
        old = previous.get(c["key"])
        # Samples of random output are kept while the case is unchanged, so regenerating is
        # idempotent; REFRESH_SAMPLES=1 takes new ones.
        if old and old.get("hash") == c["hash"] and "sample" in old and not os.environ.get("REFRESH_SAMPLES"):
            r["sample"] = old["sample"]
            return r
        key = "sample"
    else:
        key = "output"
    try:
        r[key] = raw.decode("utf-8")
    except UnicodeDecodeError:
        r[key + "_b64"] = base64.b64encode(raw).decode()
    return r


def version(helm):
    return subprocess.run([helm, "version", "--template", "{{ .Version }}"], capture_output=True, text=True).stdout.strip()


def main():
    root = os.path.abspath(os.path.join(HERE, "../../../.."))
    helms = {
        "helm3": os.environ.get("CHARTGUARD_HELM3", os.path.join(root, ".tools/helm3/helm")),
        "helm4": os.environ.get("CHARTGUARD_HELM4", os.path.join(root, ".tools/helm4/helm")),
    }
    for h in helms.values():
        if not os.access(h, os.X_OK):
            die(f"{h} missing: run scripts/install-tools.sh helm")
    cases = load_cases()
    check_unique_defines(cases)
    stems = sorted({c["stem"] for c in cases})
    previous = {}
    for major in MAJORS:
        for stem in stems:
            path = os.path.join(EXPECTED, major, stem + ".json")
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    previous[(major, stem)] = json.load(f).get("cases", {})
    known_errors = {
        major: {f"{stem}__{k}" for (m, stem), old in previous.items() if m == major
                for k, r in old.items() if "error" in r and r.get("hash") == by_key(cases, stem, k)}
        for major in MAJORS
    }
    # One Helm run per (major, case file), four at a time: a slow file (key generation) does not
    # hold up the others, and a failing case costs a rerun of its own file only.
    with tempfile.TemporaryDirectory() as tmp:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            futs = {}
            for major, helm in helms.items():
                for stem in stems:
                    sub = os.path.join(tmp, major, stem)
                    os.makedirs(sub)
                    group = [c for c in cases if c["stem"] == stem]
                    futs[(major, stem)] = pool.submit(generate, major, helm, group, sub, known_errors[major])
            results = {k: f.result() for k, f in futs.items()}
    for major in MAJORS:
        out_dir = os.path.join(EXPECTED, major)
        os.makedirs(out_dir, exist_ok=True)
        for old in os.listdir(out_dir):
            if old.endswith(".json") and old[:-5] not in stems:
                os.remove(os.path.join(out_dir, old))
        n_err = n_runs = 0
        for stem in stems:
            outputs, errors, typed, runs, _ = results[(major, stem)]
            n_err += len(errors)
            n_runs += runs
            doc = {
                "helm": version(helms[major]),
                "cases": {c["key"]: result_for(c, outputs, errors, typed, previous.get((major, stem), {}))
                          for c in cases if c["stem"] == stem},
            }
            # Values on one line each: they repeat from case to case and are not what a reviewer reads.
            compact = {}
            for k, r in doc["cases"].items():
                marker = f"@@values:{k}@@"
                compact[json.dumps(marker)] = json.dumps(r["values"], ensure_ascii=False, separators=(",", ":"))
                r["values"] = marker
            text = json.dumps(doc, indent=1, ensure_ascii=False)
            for marker, v in compact.items():
                text = text.replace(marker, v, 1)
            write(os.path.join(out_dir, stem + ".json"), text + "\n")
        print(f"{major}: {len(cases)} cases, {n_err} errors, {n_runs} batch runs")
    slowest = sorted(results.items(), key=lambda kv: -kv[1][4])[:3]
    print("slowest: " + ", ".join(f"{m}/{s} {r[4]:.1f}s" for (m, s), r in slowest))


def by_key(cases, stem, key):
    for c in cases:
        if c["stem"] == stem and c["key"] == key:
            return c["hash"]
    return None


if __name__ == "__main__":
    main()
