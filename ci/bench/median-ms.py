"""Median wall time of a whole command (ci/bench-check.sh, ci/bench-pg.sh).

usage: median-ms.py COMMAND [ARGS...]   (N runs, N from $BENCH_REPEAT, default 15; output discarded)
"""
import os
import subprocess
import sys
import time

cmd = sys.argv[1:]
ts = []
for _ in range(int(os.environ.get("BENCH_REPEAT", "15"))):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ts.append((time.perf_counter() - t) * 1000)
ts.sort()
print(f"min {ts[0]:.1f} ms  median {ts[len(ts)//2]:.1f} ms  max {ts[-1]:.1f} ms")
