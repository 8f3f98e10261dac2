#!/usr/bin/env python3
# `chartguard lint CHART` against `helm template` alone, like scripts/lint-vs-helm.sh, but
# with CPU time read from getrusage (microseconds) instead of /usr/bin/time's 10 ms ticks:
# the small corpus charts differ by a few milliseconds. Runs are alternated (helm, lint, …);
# prints `uptime` before and after and a Markdown table of medians.
#
# Usage (from the repository root): scripts/lint-vs-helm.py CHARTGUARD_BIN RUNS [CHART ...]
#   e.g. scripts/lint-vs-helm.py target/release/chartguard 5 $(ls ../shared/corpus)
import os, subprocess, sys, time, resource, statistics, shlex
corpus='../shared/corpus'; cg=sys.argv[1]; helm='.tools/helm4/helm'; runs=int(sys.argv[2])
charts=[c for c in sys.argv[3:] if os.path.exists(f"{corpus}/{c}/Chart.yaml")]
env=dict(os.environ); env.pop('RUST_BACKTRACE',None)
def flags(c):
    d=f'{corpus}/{c}'; f=[]
    if os.path.exists(f'{d}/corpus-flags'): f+=shlex.split(open(f'{d}/corpus-flags').read())
    if os.path.exists(f'{d}/corpus-values.yaml'): f+=['-f',f'{d}/corpus-values.yaml']
    return d,f
def run(cmd):
    r0=resource.getrusage(resource.RUSAGE_CHILDREN); t0=time.perf_counter()
    subprocess.run(cmd,stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL,env=env)
    t1=time.perf_counter(); r1=resource.getrusage(resource.RUSAGE_CHILDREN)
    return (t1-t0)*1000, (r1.ru_utime-r0.ru_utime+r1.ru_stime-r0.ru_stime)*1000
print(os.popen('uptime').read().strip())
print('| chart | helm wall ms | lint wall ms | wall ratio | helm CPU ms | lint CPU ms | CPU ratio |')
print('|---|---:|---:|---:|---:|---:|---:|')
for c in charts:
    d,f=flags(c); H=[];L=[]
    for i in range(runs):
        H.append(run([helm,'template','x',d]+f)); L.append(run([cg,'lint',d]+f+['--fail-on','none','--format','json','-o','/dev/null']))
    hw=statistics.median(x[0] for x in H); hc=statistics.median(x[1] for x in H)
    lw=statistics.median(x[0] for x in L); lc=statistics.median(x[1] for x in L)
    print(f'| {c} | {hw:.0f} | {lw:.0f} | {lw/hw:.2f} | {hc:.0f} | {lc:.0f} | {lc/hc:.2f} |', flush=True)
print(os.popen('uptime').read().strip())
