#!/usr/bin/env python3
"""Renders every template of every chart of ../shared/corpus through the engine (the
render_chart example), with the coalesced values Helm computes for the chart (default values,
then each ci/ values file), and lists the templates the engine cannot parse or execute; a
function the engine lacks shows as `function "x" not defined`.

Usage: corpus.py <render_chart binary> <corpus dir> <helm binary> [chart ...]
"""
import base64
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

DUMP = 'kind: EngineValues\nb64: {{ toJson .Values | b64enc | quote }}\n'


def variants(chart_dir):
    skip = set()
    p = os.path.join(chart_dir, "corpus-ci-skip")
    if os.path.exists(p):
        skip = {line.strip() for line in open(p) if line.strip()}
    out = [("default", [])]
    ci = os.path.join(chart_dir, "ci")
    if os.path.isdir(ci):
        for f in sorted(os.listdir(ci)):
            stem = os.path.splitext(f)[0]
            if f.endswith((".yaml", ".yml")) and stem not in skip:
                out.append((stem, ["-f", os.path.join(ci, f)]))
    return out


def main():
    binary, corpus, helm = sys.argv[1:4]
    only = set(sys.argv[4:])
    totals = collections.Counter()
    problems = collections.defaultdict(set)
    for name in sorted(os.listdir(corpus)):
        src = os.path.join(corpus, name)
        if not os.path.exists(os.path.join(src, "Chart.yaml")) or (only and name not in only):
            continue
        flags = open(os.path.join(src, "corpus-flags")).read().split() if os.path.exists(os.path.join(src, "corpus-flags")) else []
        base = ["-f", os.path.join(src, "corpus-values.yaml")] if os.path.exists(os.path.join(src, "corpus-values.yaml")) else []
        with tempfile.TemporaryDirectory() as tmp:
            chart = os.path.join(tmp, name)
            shutil.copytree(src, chart)
            # A template of our own in the copy prints the values Helm coalesced for the chart.
            dump = os.path.join(chart, "templates", "zzzz-engine-values.yaml")
            with open(dump, "w") as f:
                f.write(DUMP)
            for variant, vflags in variants(src):
                p = subprocess.run([helm, "template", name, chart, "-s", "templates/zzzz-engine-values.yaml"] + flags + base + vflags,
                                   capture_output=True, text=True)
                if p.returncode != 0:
                    print(f"{name} [{variant}]: helm failed: {p.stderr.strip().splitlines()[0]}")
                    continue
                values = base64.b64decode(re.search(r'b64: "([^"]*)"', p.stdout).group(1))
                vfile = os.path.join(tmp, "values.json")
                with open(vfile, "wb") as f:
                    f.write(values)
                os.remove(dump)
                for major in ("3", "4"):
                    r = subprocess.run([binary, chart, vfile, "--helm", major], capture_output=True, text=True)
                    for line in r.stdout.splitlines():
                        kind, _, rest = line.partition(" ")
                        totals[kind] += 1
                        if kind != "OK":
                            problems[f"helm{major} {kind} {rest}"].add(variant)
                    if r.returncode not in (0, 1):
                        problems[f"helm{major} CRASH {name}: exit {r.returncode}: {r.stderr.strip()[-300:]}"].add(variant)
                with open(dump, "w") as f:
                    f.write(DUMP)
    undefined = sorted(k for k in problems if "not defined" in k)
    print(f"templates rendered: {totals['OK']} ok, {totals['PARSE']} parse errors, {totals['EXEC']} execution errors "
          f"(both majors, every values variant)")
    print(f"unsupported-function errors: {len(undefined)}")
    for k in sorted(problems):
        print(f"  {k}  [{', '.join(sorted(problems[k]))}]")


if __name__ == "__main__":
    main()
