#!/usr/bin/env python3
"""perfgate's own benchmark results in perfgate's native JSON format (used by ci/dogfood.sh).

Subcommands:

  synth --out DIR --commits N [--endpoints E] [--seed S]
      Writes N native result files (one run per commit, commits on `main` with increasing times,
      the last one on `feature`) with E endpoints each: the history that `perfgate check` and
      `perfgate report` are timed on. Prints the last commit's sha.

  time --repeat K [--ok CODES] [--out FILE] -- COMMAND...
      Runs COMMAND K times and writes {"ms": [...], "codes": [...]} (wall-clock milliseconds).
      An exit code outside CODES (default 0) stops with that command's stderr and exit 1.

  native --out FILE [--ingest-log FILE] [--timing NAME=FILE ...] [--commit SHA --branch B --time T]
      Converts benchmark output into one native run (docs/native-format.md):
        --ingest-log: the text printed by `perfgate-bench ingest-ndjson` ->
            ingest-ndjson / ingest_throughput  (MB/s wall clock, "/s", higher is better)
            ingest-ndjson / ingest_cpu_throughput (MB/s per CPU second, when printed; steadier)
            ingest-ndjson / io_floor_throughput (MB/s of `wc -l` on the same file, context only)
            ingest-ndjson / peak_rss           (MB, lower is better)
        --timing check=FILE  -> check / check_latency   (ms samples, lower is better)
        --timing report=FILE -> report / report_time    (ms samples, lower is better)
        --timing history-ingest=FILE -> history-ingest / ingest_time (ms samples, lower is better)
      Benchmarks that did not run are simply absent (ci/dogfood.sh drops their budget rules).
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time

TIMING_SERIES = {
    "check": ("check", "check_latency"),
    "report": ("report", "report_time"),
    "history-ingest": ("history-ingest", "ingest_time"),
}


def sha_for(i, salt="perfgate-dogfood"):
    return hashlib.sha1(f"{salt}-{i}".encode()).hexdigest()


def cmd_synth(a):
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    endpoints = [f"{'GET' if i % 3 else 'POST'} /api/resource{i:02d}" for i in range(a.endpoints)]
    base = {ep: 20 + 7 * i for i, ep in enumerate(endpoints)}
    last = None
    for c in range(a.commits):
        sha = sha_for(c)
        parent = sha_for(c - 1) if c else None
        branch = "feature" if c == a.commits - 1 else "main"
        level = 1.0 if c < a.commits // 2 else 1.04  # a small step halfway: something to detect
        series = []
        for ep in endpoints:
            m = base[ep] * level * (1 + rng.gauss(0, 0.03))
            series.append({
                "endpoint": ep, "metric": "http_req_duration", "unit": "ms", "direction": "lower",
                "stats": {
                    "count": 1200 + rng.randint(0, 50), "mean": round(m, 3), "p50": round(m * 0.92, 3),
                    "p90": round(m * 1.45, 3), "p95": round(m * 1.7, 3), "p99": round(m * 2.4, 3),
                    "max": round(m * 4, 3), "error_rate": round(abs(rng.gauss(0, 0.002)), 5),
                    "throughput": round(40 + rng.gauss(0, 1), 3),
                },
            })
        commit = {"sha": sha, "branch": branch,
                  "time": (start + dt.timedelta(hours=c)).strftime("%Y-%m-%dT%H:%M:%SZ")}
        if parent:
            commit["parent"] = parent
        doc = {"format": "perfgate", "version": 1, "tool": "dogfood-synth", "scenario": "synthetic",
               "environment": "dogfood-synthetic", "commit": commit, "durationSeconds": 30,
               "load": {"vus": 10, "maxVUs": 10}, "series": series}
        with open(os.path.join(a.out, f"run-{c:05d}.json"), "w") as f:
            json.dump(doc, f)
        last = sha
    print(last)


def cmd_time(a):
    cmd = a.command[1:] if a.command and a.command[0] == "--" else a.command
    if not cmd:
        sys.exit("time: no command")
    ok = {int(x) for x in a.ok.split(",")}
    ms, codes = [], []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        ms.append(round((time.perf_counter() - t0) * 1000, 3))
        codes.append(p.returncode)
        if p.returncode not in ok:
            sys.stderr.write(p.stderr.decode(errors="replace"))
            sys.stderr.write(f"dogfood: {' '.join(cmd)} exited {p.returncode}\n")
            sys.exit(1)
    out = {"ms": ms, "codes": codes}
    if a.out:
        with open(a.out, "w") as f:
            json.dump(out, f)
    label = a.label or f"{os.path.basename(cmd[0])} {cmd[1] if len(cmd) > 1 else ''}"
    print(f"{label}: "
          f"median {sorted(ms)[len(ms) // 2]:.1f} ms over {len(ms)} runs ({', '.join(f'{x:.0f}' for x in ms)})")


def parse_ingest_log(text):
    """The lines printed by Sources/perfgate-bench/IngestBenchmark.swift."""
    out = {}
    m = re.search(r"^file:\s+([\d.]+) MB", text, re.M)
    if m:
        out["size_mb"] = float(m.group(1))
    # "wc -l:   wall 0.10 s  1923 MB/s | cpu 0.03 s  6418 MB/s" (older: "wc -l:   0.10 s  1923 MB/s")
    m = re.search(r"^wc -l:\s+(?:wall\s+)?([\d.]+) s\s+([\d.]+) MB/s", text, re.M)
    if m:
        out["wc_mb_s"] = float(m.group(2))
    m = re.search(r"^parser:\s+(?:wall\s+)?([\d.]+) s\s+([\d.]+) MB/s(?:\s*\|\s*cpu\s+([\d.]+) s\s+([\d.]+) MB/s)?", text, re.M)
    if m:
        out["parser_s"], out["parser_mb_s"] = float(m.group(1)), float(m.group(2))
        if m.group(4):
            out["parser_cpu_mb_s"] = float(m.group(4))
    m = re.search(r"^peak RSS:\s+([\d.]+) MB before parse, ([\d.]+) MB after", text, re.M)
    if m:
        out["rss_before_mb"], out["rss_after_mb"] = float(m.group(1)), float(m.group(2))
    if "parser_mb_s" not in out:
        raise SystemExit("dogfood-native: no 'parser: … MB/s' line in the ingest benchmark output")
    return out


def cmd_native(a):
    series = []
    tags = {}
    if a.ingest_log:
        r = parse_ingest_log(open(a.ingest_log, encoding="utf-8").read())
        series.append({"endpoint": "ingest-ndjson", "metric": "ingest_throughput", "unit": "/s",
                       "direction": "higher", "stats": {"value": r["parser_mb_s"]}})
        if "parser_cpu_mb_s" in r:
            series.append({"endpoint": "ingest-ndjson", "metric": "ingest_cpu_throughput", "unit": "/s",
                           "direction": "higher", "stats": {"value": r["parser_cpu_mb_s"]}})
        if "wc_mb_s" in r:
            series.append({"endpoint": "ingest-ndjson", "metric": "io_floor_throughput", "unit": "/s",
                           "direction": "higher", "stats": {"value": r["wc_mb_s"]}})
        if "rss_after_mb" in r:
            series.append({"endpoint": "ingest-ndjson", "metric": "peak_rss", "unit": "MB",
                           "direction": "lower", "stats": {"value": r["rss_after_mb"]}})
        if "size_mb" in r:
            tags["ingest_file_mb"] = f"{r['size_mb']:.0f}"
    for spec in a.timing or []:
        name, _, path = spec.partition("=")
        if name not in TIMING_SERIES:
            raise SystemExit(f"dogfood-native: unknown timing {name!r} (known: {', '.join(TIMING_SERIES)})")
        endpoint, metric = TIMING_SERIES[name]
        ms = json.load(open(path))["ms"]
        series.append({"endpoint": endpoint, "metric": metric, "unit": "ms", "direction": "lower", "samples": ms})
    if not series:
        raise SystemExit("dogfood-native: nothing to convert")
    doc = {"$schema": "urn:perfgate:schema:result:1", "format": "perfgate", "version": 1,
           "tool": "perfgate-bench", "scenario": "dogfood", "series": series}
    if a.tool_version:
        doc["toolVersion"] = a.tool_version
    if a.commit:
        doc["commit"] = {"sha": a.commit}
        if a.branch:
            doc["commit"]["branch"] = a.branch
        if a.time:
            doc["commit"]["time"] = a.time
    doc["startedAt"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if tags:
        doc["tags"] = tags
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=2, sort_keys=True)
        f.write("\n")
    for s in series:
        v = s.get("stats", {}).get("value")
        if v is None:
            xs = sorted(s["samples"])
            v = xs[len(xs) // 2]
        print(f"  {s['endpoint']:<15} {s['metric']:<20} {v:10.1f} {'MB/s' if s['unit'] == '/s' else s['unit']}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("synth")
    s.add_argument("--out", required=True)
    s.add_argument("--commits", type=int, default=200)
    s.add_argument("--endpoints", type=int, default=10)
    s.add_argument("--seed", type=int, default=7)
    t = sub.add_parser("time")
    t.add_argument("--repeat", type=int, default=5)
    t.add_argument("--ok", default="0")
    t.add_argument("--out")
    t.add_argument("--label")
    t.add_argument("command", nargs=argparse.REMAINDER)
    n = sub.add_parser("native")
    n.add_argument("--out", required=True)
    n.add_argument("--ingest-log")
    n.add_argument("--timing", action="append")
    n.add_argument("--commit")
    n.add_argument("--branch")
    n.add_argument("--time")
    n.add_argument("--tool-version")
    a = p.parse_args()
    {"synth": cmd_synth, "time": cmd_time, "native": cmd_native}[a.cmd](a)


if __name__ == "__main__":
    main()
