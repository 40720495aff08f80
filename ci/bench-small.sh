#!/usr/bin/env bash
# Small files: CPU time (user + sys of the process and its children) of `perfgate ingest` of N
# small k6 --summary-export files (default 1,000, each ~7 KB, built from the generated fixture with
# its numbers shifted so that no two are the same execution) in ONE call, and of one file per call
# (CALLS calls, default 30, each into the same store). Anchors measured in the same run:
#   - `perfgate --version` per call (the process floor);
#   - one Python process that parses the same N files with `json` and inserts them into SQLite
#     (a run row and a row per statistic, one transaction).
# Targets (issue 15): <= 2 ms CPU per file inside one call; <= 2x `perfgate --version` per call.
# Usage: ci/bench-small.sh [N] [CALLS]    PERFGATE_BIN=path to use a built binary;
#        BEFORE_BIN=path also times that (older) binary, interleaved, on the same files.
# Binary: ci/bench/binary.sh (static release build in $PERFGATE_BUILD_DIR or .build; PERFGATE_BIN_DIR=DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000}"
CALLS="${2:-30}"
. ci/bench/binary.sh perfgate
[[ -z "${BEFORE_BIN:-}" ]] || echo "before: $(bench_describe "$BEFORE_BIN")"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
python3 - "$PERFGATE" "${BEFORE_BIN:-}" "$WORK" "$N" "$CALLS" \
  Tests/PerfgateIngestTests/Fixtures/generated/k6/summary-export.json <<'PY'
import json, os, resource, sqlite3, subprocess, sys, time
binary, before, work, n, calls, fixture = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
doc = json.load(open(fixture))
files = os.path.join(work, "files")
os.makedirs(files)
for i in range(n):
    d = json.loads(json.dumps(doc))
    for name, m in d["metrics"].items():
        for k, v in list(m.items()):
            if isinstance(v, float) and k in ("avg", "med", "max", "min", "p(90)", "p(95)", "p(99)", "rate"):
                m[k] = v * (1 + i * 1e-6)
    with open(os.path.join(files, f"summary-{i:05d}.json"), "w") as f:
        json.dump(d, f, indent=4)

def cpu(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr.decode()[-2000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

sha = "ab" * 20
def ingest(b, store, paths):
    return [b, "ingest", *paths, "--store", store, "--commit", sha, "--branch", "main", "--environment", "bench"]

def version(b):
    ts = [cpu([b, "--version"]) for _ in range(calls)]
    return sum(ts) / len(ts)

def batch(b, tag):
    store = os.path.join(work, f"batch-{tag}.sqlite")
    t = cpu(ingest(b, store, [files]))
    os.remove(store)
    return t

def per_call(b, tag):
    store = os.path.join(work, f"calls-{tag}.sqlite")
    total = sum(cpu(ingest(b, store, [os.path.join(files, f"summary-{i:05d}.json")])) for i in range(calls))
    os.remove(store)
    return total / calls

def python_anchor():
    t0 = time.process_time()
    path = os.path.join(work, "python.sqlite")
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE run(id INTEGER PRIMARY KEY, path TEXT, tool TEXT)")
    db.execute("CREATE TABLE measurement(runId INTEGER, metric TEXT, statistic TEXT, value REAL)")
    with db:
        for name in sorted(os.listdir(files)):
            d = json.load(open(os.path.join(files, name)))
            run = db.execute("INSERT INTO run(path, tool) VALUES (?, 'k6')", (name,)).lastrowid
            db.executemany("INSERT INTO measurement VALUES (?, ?, ?, ?)",
                           [(run, m, k, v) for m, stats in d["metrics"].items() for k, v in stats.items()
                            if isinstance(v, (int, float)) and not isinstance(v, bool)])
    db.close()
    return time.process_time() - t0

bins = [("now", binary)] + ([("before", before)] if before else [])
ver = {tag: version(b) for tag, b in bins}
one = {tag: [] for tag, _ in bins}
many = {tag: [] for tag, _ in bins}
for rep in range(2):  # interleaved, best of two
    for tag, b in bins:
        many[tag].append(batch(b, tag))
        one[tag].append(per_call(b, tag))
py = min(python_anchor() for _ in range(2))
print(f"anchor: python3 json + sqlite3, {n} files in one process: {py:.2f} s CPU = {py / n * 1000:.2f} ms per file")
for tag, b in bins:
    print(f"[{tag}] perfgate --version: {ver[tag] * 1000:.1f} ms CPU per call")
    m = min(many[tag])
    print(f"[{tag}] perfgate ingest, {n} files in one call: {m:.2f} s CPU = {m / n * 1000:.2f} ms per file "
          f"({m / py:.1f}x the python loop; target <= 2 ms per file)")
    o = min(one[tag])
    print(f"[{tag}] perfgate ingest, one file per call ({calls} calls): {o * 1000:.1f} ms CPU per call "
          f"= {o / ver[tag]:.1f}x perfgate --version (target <= 2x)")
PY
