#!/usr/bin/env python3
"""perfgate's hardening suite (issue 14): kill -9 during ingest, concurrent first use, hostile input.

Run by ci/hardening.sh with the release binary (PERFGATE_BIN). Every case asserts what an operator
trusting perfgate with a shared CI store needs: nothing lost, nothing half-written, bad input refused
with its location and a distinct exit code, and the store's bytes unchanged by anything refused.

  python3 ci/hardening.py PERFGATE_BIN [--kills N] [--rounds N]

Prints one line per group with its figures and exits 1 if any assertion failed.
"""
import argparse
import gzip
import hashlib
import json
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests/PerfgateIngestTests/Fixtures/generated")
FAILURES = []
ENV = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GITLAB_", "PERFGATE_", "CI_"))}
ENV.update(PERFGATE_ENVIRONMENT="hardening", NO_COLOR="1")


def fail(msg):
    FAILURES.append(msg)
    print(f"  FAILED: {msg}", file=sys.stderr)


def run(pg, args, cwd, timeout=60):
    return subprocess.run([pg] + args, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout)


def store_state(path):
    """Bytes of the store and of a non-empty WAL (a reader may leave an empty one)."""
    out = []
    for p in (path, path + "-wal"):
        if os.path.exists(p) and os.path.getsize(p) > 0:
            out.append(hashlib.sha256(open(p, "rb").read()).hexdigest())
        else:
            out.append(None)
    return out


def integrity(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        runs = con.execute("SELECT id FROM run").fetchall()
        partial = con.execute(
            "SELECT count(*) FROM run r WHERE NOT EXISTS (SELECT 1 FROM measurement m WHERE m.runId = r.id)").fetchone()[0]
        return ok, len(runs), partial
    finally:
        con.close()


def ingest_args(store, sha, path):
    return ["ingest", "--store", store, "--commit", sha, "--branch", "main", path]


# ------------------------------------------------------------------ kill -9 during ingest
def kills(pg, n, work):
    big = os.path.join(work, "big.ndjson")
    with open(os.path.join(FIX, "k6/points.ndjson"), "rb") as f:
        data = f.read()
    with open(big, "wb") as f:
        for _ in range(30):  # ~10 MB: long enough to be killed in the middle
            f.write(data)
    for first in (True, False):
        lost = corrupt = partial = killed = 0
        for i in range(n):
            d = tempfile.mkdtemp(dir=work)
            store = os.path.join(d, "history.sqlite")
            before = 0
            if not first:
                r = run(pg, ingest_args(store, "a" * 40, os.path.join(FIX, "k6/summary-export.json")), d)
                if r.returncode != 0:
                    fail(f"kill setup: {r.stderr.strip()}")
                    return
                before = 1
            p = subprocess.Popen([pg] + ingest_args(store, "%040x" % (i + 1), big), cwd=d, env=ENV,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(random.uniform(0.0, 0.6))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                killed += 1
            p.wait()
            # A reader after the kill: recovers what the writer left and answers.
            r = run(pg, ["runs", "--store", store, "--format", "csv"], d)
            if not os.path.exists(store):
                if r.returncode != 74:
                    fail(f"kill {i}: no store yet, runs exited {r.returncode}")
                shutil.rmtree(d)
                continue
            if r.returncode != 0:
                fail(f"kill {i} ({'first' if first else 'later'} ingest): runs exited {r.returncode}: {r.stderr.strip()}")
                corrupt += 1
            ok, count, part = integrity(store)
            if ok != "ok":
                corrupt += 1
                fail(f"kill {i}: integrity_check {ok}")
            if count < before:
                lost += 1
                fail(f"kill {i}: {before - count} stored runs lost")
            partial += part
            if part:
                fail(f"kill {i}: {part} runs without measurements")
            shutil.rmtree(d)
        what = "first ingest into a new store" if first else "ingest into an existing store"
        print(f"kill -9 during {what}: {n} runs, {killed} killed mid-ingest; {lost} lost, {corrupt} unreadable, {partial} partial")


# ------------------------------------------------------------------ concurrent first use
def concurrent(pg, rounds, work):
    src = os.path.join(FIX, "k6/summary-export.json")
    bad = 0
    for r_ in range(rounds):
        d = tempfile.mkdtemp(dir=work)
        store = os.path.join(d, "new", "history.sqlite")
        procs = [subprocess.Popen([pg] + ingest_args(store, "%040x" % (r_ * 100 + j + 1), src), cwd=d, env=ENV,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for j in range(8)]
        codes = [(p.wait(), p.stderr.read()) for p in procs]
        failed = [c for c in codes if c[0] != 0]
        if failed:
            bad += len(failed)
            fail(f"concurrent first use round {r_}: {len(failed)} of 8 exited {failed[0][0]}: {failed[0][1].strip()}")
        ok, count, _ = integrity(store)
        if count != 8 or ok != "ok":
            fail(f"concurrent first use round {r_}: {count} of 8 runs stored ({ok})")
        shutil.rmtree(d)
    print(f"concurrent first use: {rounds} rounds x 8 processes into a new store; {bad} failed")


# ------------------------------------------------------------------ hostile input
def hostile(pg, work):
    d = tempfile.mkdtemp(dir=work)
    store = os.path.join(d, "history.sqlite")
    r = run(pg, ingest_args(store, "b" * 40, os.path.join(FIX, "k6/summary-export.json")), d)
    assert r.returncode == 0, r.stderr
    cases = []  # (name, bytes, expected exit, location regex)

    def add(name, data, code=65, where=None):
        cases.append((name, data, code, where))

    summary = open(os.path.join(FIX, "k6/summary-export.json"), "rb").read()
    ndjson = open(os.path.join(FIX, "k6/points.ndjson"), "rb").read()
    csv = open(os.path.join(FIX, "k6/points.csv"), "rb").read()
    lcsv = open(os.path.join(FIX, "locust/run_stats.csv"), "rb").read()
    ljson = open(os.path.join(FIX, "locust/run.json"), "rb").read()
    rnd = random.Random(14)
    # Truncations at many offsets, every format (a cut at a line end of a line format can be a
    # complete shorter file, so those offsets move one byte into the line).
    for fmt, data, suffix in (("k6-summary", summary, ".json"), ("k6-ndjson", ndjson, ".ndjson"), ("k6-csv", csv, ".csv"),
                              ("locust-json", ljson, ".json")):
        for k in range(12):
            cut = rnd.randrange(len(data) // 3, len(data) - 2)
            if data[cut - 1:cut] == b"\n":
                cut += 1
            add(f"{fmt} cut at byte {cut}", data[:cut], where=r":\d+(:\d+)?: error")
    lines = lcsv.split(b"\n")
    for k in range(1, len(lines) - 1):
        add(f"locust-csv cut in row {k + 1}", b"\n".join(lines[:k] + [lines[k][: len(lines[k]) // 2]]), where=r"_stats\.csv:\d+")
    add("k6-ndjson cut, gzip", gzip.compress(ndjson[: len(ndjson) // 2 + 7]), where=r":\d+:\d+: error|gzip")
    # Duplicate keys, numbers beyond a double, invalid UTF-8, NUL and ANSI in names, negative latency.
    key = b'"http_req_duration{name:/api/orders}": {'
    add("duplicate metric key", summary.replace(key, key[:-1] + b'{"p(95)": 999999, "count": 1}, ' + key, 1), where=r":\d+:\d+: error: invalid JSON: duplicate key")
    add("number 1e309", summary.replace(b'"count": 120', b'"count": 1e309', 1), where=r":\d+:\d+: error: number 1e309")
    add("invalid UTF-8", summary.replace(b"iterations", b"\xffterations", 1), where=r":\d+:\d+: error: invalid UTF-8")
    add("NUL in a name", summary.replace(b"/api/orders}", b"/api/or\\u0000ders}", 1), where=r"error: endpoint .* NUL byte")
    add("negative latency", summary.replace(b'"min": 0.002455', b'"min": -0.002455', 1), where=r"is negative")
    add("history with duplicate runs key", b'{"format": "perfgate-history", "version": 1, "runs": [], "runs": [1]}',
        where=r":1:\d+: error: invalid JSON: duplicate key \"runs\"")
    add("not a result at all", b"\x00\x01\x02 binary garbage " * 50, where=r"error")

    refused = 0
    peak = 0
    for name, data, code, where in cases:
        ext = ".json"
        if "ndjson" in name:
            ext = ".ndjson.gz" if "gzip" in name else ".ndjson"
        elif "csv" in name:
            ext = "_stats.csv" if "locust" in name else ".csv"
        f = os.path.join(d, "input" + ext)
        open(f, "wb").write(data)
        before = store_state(store)
        args = ["import", f, "--store", store] if "history" in name else ingest_args(store, "c" * 40, f)
        r, rss = measured(pg, args, d, timeout=60)
        peak = max(peak, rss)
        refused += judged("hostile", name, r, code, where, store, before)
        os.remove(f)

    # Foreign files at the --store path are never modified.
    foreign = os.path.join(d, "app.db")
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT)")
    con.execute("INSERT INTO notes(text) VALUES ('mine')")
    con.commit()
    con.close()
    text = os.path.join(d, "notes.txt")
    open(text, "w").write("my notes\n" * 100)
    for path, what in ((foreign, "another SQLite database"), (text, "a text file")):
        for args in (["runs", "--store", path], ingest_args(path, "d" * 40, os.path.join(FIX, "k6/summary-export.json"))):
            before = (hashlib.sha256(open(path, "rb").read()).hexdigest(), sorted(os.listdir(d)))
            r = run(pg, args, d)
            after = (hashlib.sha256(open(path, "rb").read()).hexdigest(), sorted(os.listdir(d)))
            if r.returncode != 74 or "not a perfgate store" not in r.stderr:
                fail(f"{what} as --store ({args[0]}): exit {r.returncode}: {r.stderr.strip()[:200]}")
            elif before != after:
                fail(f"{what} as --store ({args[0]}): modified or files added beside it")
            else:
                refused += 1
    total = len(cases) + 4
    print(f"hostile input: {refused} of {total} refused with their location and the store unchanged; "
          f"peak RSS {peak / 1024:.1f} MB")


def judged(group, name, r, code, where, store, before, rss=0, bound_mb=None):
    """The assertions on one refused input: exit code, a message locating the problem, peak RSS within
    bound_mb (when given), the store unchanged. True when it was refused as it should be."""
    ok = False
    if r.returncode != code:
        fail(f"{group} '{name}': exit {r.returncode}, expected {code}: {r.stderr[:300]}")
    elif where and not re.search(where, r.stderr):
        fail(f"{group} '{name}': message does not locate the problem ({where!r}): {r.stderr[:300]}")
    elif bound_mb is not None and rss > bound_mb << 10:
        fail(f"{group} '{name}': peak RSS {rss / 1024:.0f} MB, over {bound_mb} MB")
    else:
        ok = True
    if store_state(store) != before:
        fail(f"{group} '{name}': the store changed")
    return ok


def measured(pg, args, cwd, timeout=120):
    """Runs perfgate under /usr/bin/time: (completed process with time's line removed, peak RSS in KB)."""
    r = subprocess.run(["/usr/bin/time", "-f", "%M", pg] + args, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout)
    lines = r.stderr.strip().splitlines()
    rss = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    r.stderr = "\n".join(lines[:-1])
    return r, rss


def limits(pg, work):
    """The documented limits (README "Limits"): each refused while streaming, at its line, exit 65, store
    unchanged, in bounded memory. The 300 MB line is made from a gzip of about 300 KB written in pieces."""
    d = tempfile.mkdtemp(dir=work)
    store = os.path.join(d, "history.sqlite")
    r = run(pg, ingest_args(store, "b" * 40, os.path.join(FIX, "k6/summary-export.json")), d)
    assert r.returncode == 0, r.stderr
    ndjson = open(os.path.join(FIX, "k6/points.ndjson"), "rb").read().split(b"\n")
    csv = open(os.path.join(FIX, "k6/points.csv"), "rb").read().split(b"\n")
    lcsv = open(os.path.join(FIX, "locust/run_stats.csv"), "rb").read().split(b"\n")

    def huge(path, lines, at, old, size):
        """`lines` gzip-compressed into `path`, line `at` (1-based) with `old` followed by `size` bytes."""
        with gzip.open(path, "wb", compresslevel=9) as z:
            z.write(b"\n".join(lines[: at - 1]) + b"\n")
            head, tail = lines[at - 1].split(old, 1)
            z.write(head + old)
            piece = b"x" * (1 << 20)
            for _ in range(size >> 20):
                z.write(piece)
            z.write(tail + b"\n" + b"\n".join(lines[at:]))

    cases = []  # (name, file, args, line regex, RSS bound in MB)
    f = os.path.join(d, "huge-name.ndjson.gz")
    huge(f, ndjson, 2, b'"name":"/api/users', 300 << 20)
    cases.append(("k6 NDJSON .gz, 300 MB name tag on one line", f, None, r"huge-name\.ndjson\.gz:2: error: line is longer than 1 MiB", 64))
    f = os.path.join(d, "huge-row.csv.gz")
    huge(f, csv, 3, b",/api/users", 300 << 20)
    cases.append(("k6 CSV .gz, 300 MB row", f, None, r"huge-row\.csv\.gz:3: error: line is longer than 1 MiB", 64))
    f = os.path.join(d, "huge_stats.csv")
    huge(f, lcsv, 3, b",/api/products", 64 << 20)
    cases.append(("Locust CSV, 64 MB row", f, None, r"huge_stats\.csv:3: error: line is longer than 1 MiB", 64))
    f = os.path.join(d, "long-name.ndjson")
    lines = list(ndjson)
    lines[20] = lines[20].replace(b"/api/users", b"/api/users" + b"n" * 5000)
    open(f, "wb").write(b"\n".join(lines))
    cases.append(("k6 NDJSON, 5 KB name", f, None, r"long-name\.ndjson:21: error: endpoint .* over the limit of 4 KiB", 64))
    f = os.path.join(d, "many.ndjson")
    extra = [ndjson[20].replace(b"/api/users", b"/api/items/%d" % i) for i in range(10_001)]
    open(f, "wb").write(b"\n".join([l for l in ndjson if l] + extra) + b"\n")
    # Every endpoint keeps a latency histogram (tens of KB): 10,000 of them is what the limit bounds.
    cases.append(("k6 NDJSON, 10,001 endpoints", f, None, r"many\.ndjson:\d+: error: more than 10000 series", 512))
    f = os.path.join(d, "budgets.json")
    with open(f, "wb") as out:
        out.write(b'{"version": 1, "budgets": [' + b" " * (5 << 20) + b"]}")
    cases.append(("budget file over 4 MiB", f, ["budgets", "validate", f], r"budgets\.json: error: budget file is too large", 32))
    f = os.path.join(d, "history.json")
    with open(f, "wb") as out:
        out.truncate(600 << 20)  # sparse: the size is refused before a byte is read
    cases.append(("history file over 512 MiB", f, ["import", f, "--store", store], r"history\.json: error: history file is too large", 32))

    refused = 0
    figures = []
    for name, f, args, where, bound in cases:
        before = store_state(store)
        r, rss = measured(pg, args or ingest_args(store, "c" * 40, f), d)
        figures.append(f"{name}: {rss / 1024:.0f} MB")
        refused += judged("limits", name, r, 65, where, store, before, rss=rss, bound_mb=bound)
        os.remove(f)
    print(f"limits: {refused} of {len(cases)} refused at their line in bounded memory, store unchanged; peak RSS "
          + "; ".join(figures))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("perfgate")
    ap.add_argument("--kills", type=int, default=25)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="perfgate-hardening.")
    try:
        hostile(a.perfgate, work)
        limits(a.perfgate, work)
        concurrent(a.perfgate, a.rounds, work)
        kills(a.perfgate, a.kills, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if FAILURES:
        print(f"hardening: FAIL ({len(FAILURES)} assertions)")
        sys.exit(1)
    print("hardening: PASS")


if __name__ == "__main__":
    main()
