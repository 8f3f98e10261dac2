# Timing helpers for the measurement scripts (sourced).

# Wall time of a command in milliseconds (its output discarded, its failure ignored).
ms() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

# The median of the numbers on standard input, one a line.
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Appends "wall_ms cpu_ms" of one run of the command (output discarded, its exit status
# ignored) to file $1. CPU (user + system) is read from getrusage, which counts it to the
# microsecond: /usr/bin/time prints 10 ms ticks, and small charts differ by a few ms.
timed() {
  local out="$1"
  shift
  python3 - "$@" >>"$out" <<'PY'
import resource, subprocess, sys, time
r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
t0 = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
t1 = time.perf_counter()
r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime
print(round((t1 - t0) * 1000), round(cpu * 1000))
PY
}

# The median of column $1 of file $2.
col() { awk -v c="$1" '{print $c}' "$2" | median; }
