#!/usr/bin/env python3
"""Change-point accuracy benchmark: perfgate vs Apache Otava vs MongoDB E-Divisive (issue 4, item 5).

    python3 ci/bench/cpd_accuracy.py [--bench .build/release/perfgate-bench] [--series series.json]
                                     [--out results.json] [--mongo-max-len 500]

Runs on the same labelled series (ci/bench/cpd_series.py; generated with its default seed when --series is
not given):
  * perfgate  `perfgate-bench cpd` = what `perfgate detect` runs on one series (ChangePointDetection.changePoints:
              E-Divisive, min segment 3, Welch p <= 0.001, magnitude >= 2 %, merge pass, log scale, plus the
              local-window scan for short bumps; the whole series up to the default cap);
              --perfgate-args passes options through (e.g. '--last 200 --search global' = the detect of before);
  * Otava     apache-otava 0.8.0, `otava.analysis.compute_change_points(series)` at its defaults
              (window_len=50, max_pvalue=0.001, min_magnitude=0.0) -- what `otava analyze` runs;
  * MongoDB   signal-processing-algorithms 2.1.6,
              `signal_processing_algorithms.energy_statistics.energy_statistics.e_divisive(series)` at its
              defaults (pvalue=0.05, permutations=100; numpy's global RNG seeded per series with crc32(id)
              so that runs repeat). It is O(n^2) in memory and O(permutations * n^2) in time (a 1,000-point
              series takes ~10 s, a 5,000-point one minutes and 200 MB per distance matrix), so it only runs on
              series of at most --mongo-max-len points (default 500); every table says which subset it covers
              and the "same subset" table compares all three tools on exactly that subset.

The two peers need incompatible numpy versions (Otava pins numpy 2.2, signal-processing-algorithms needs
numpy < 2), so each runs in its own virtual environment (created on first use under --venv-dir from
ci/bench/requirements-otava.txt and ci/bench/requirements-mongo.txt) by re-invoking this script with
--run-peer. These are benchmark-only dependencies; nothing here runs at test time.

Scoring (per series, then summed per category = micro-averaged):
  * tolerance tol = max(2, floor(1 % of the length)) indices;
  * greedy one-to-one matching: all (truth, detection) pairs with |t - d| <= tol, closest first (ties: lower
    truth index, then lower detection index); matched pairs are true positives, unmatched detections false
    positives, unmatched truths false negatives;
  * ramps: the truth is the interval [start, end] of the drift (cpd_series.py); one detection within
    [start - tol, end + tol] is a true positive, further detections inside that interval are neutral (a
    staircase approximation of a drift is not wrong; they are counted as "ramp extras"), detections outside it
    are false positives, no detection inside it is a false negative;
  * FP rate: on no-change and spike series, the fraction of series with at least one detected change point;
  * "overall" covers every category but `variance`; "overall (v1 categories)" only the categories of generator
    v1 (without bumps, long early steps and long noise), comparable with figures measured before generator v2;
  * "variance" series are scored against their variance change point but reported separately and kept out
    of "overall": E-Divisive means with a t-test is not designed for pure variance changes.
Every run is bounded: a per-series alarm in the peer runners (--series-timeout, a timed-out series counts as
no detection and is reported) and a wall-clock limit per tool (--tool-timeout).
"""
import argparse
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TOOLS = ["perfgate", "otava", "mongodb"]
NO_CHANGE = ["noise_normal", "noise_lognormal", "noise_heavy", "spike", "long_noise"]
CATEGORY_ORDER = NO_CHANGE + ["step_up", "step_down", "multi_step", "ramp", "bump_30_10", "bump_10_20",
                              "long_early_step", "variance"]
V2_CATEGORIES = {"long_noise", "bump_30_10", "bump_10_20", "long_early_step"}  # cpd_series.py generator v2


# --------------------------------------------------------------------------------------------- peer runners
class SeriesTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise SeriesTimeout()


def run_peer(peer, input_path, output_path, max_len, series_timeout):
    """Runs inside the peer's virtual environment."""
    import numpy as np  # noqa: the peer's own numpy

    if peer == "otava":
        from otava.analysis import compute_change_points

        def detect(sid, values):
            cps, _weak = compute_change_points(list(values))  # defaults: window_len=50, max_pvalue=0.001, min_magnitude=0.0
            return [int(c.index) for c in cps]
    elif peer == "mongodb":
        from signal_processing_algorithms.energy_statistics import energy_statistics as es

        def detect(sid, values):
            np.random.seed(zlib.crc32(sid.encode()))
            return sorted(int(c) for c in es.e_divisive(list(values)))  # defaults: pvalue=0.05, permutations=100
    else:
        raise SystemExit(f"unknown peer {peer}")
    with open(input_path) as fh:
        series = json.load(fh)["series"]
    signal.signal(signal.SIGALRM, _alarm)
    results = []
    start = time.perf_counter()
    for s in series:
        if max_len and len(s["values"]) > max_len:
            results.append({"id": s["id"], "skipped": True})
            continue
        t0 = time.perf_counter()
        signal.alarm(series_timeout)
        try:
            cps, error = detect(s["id"], s["values"]), None
        except SeriesTimeout:
            cps, error = [], "timeout"
        finally:
            signal.alarm(0)
        results.append({"id": s["id"], "change_points": cps, "seconds": time.perf_counter() - t0, "error": error})
    with open(output_path, "w") as fh:
        json.dump({"tool": peer, "results": results}, fh)
    print(f"{peer}: {sum(1 for r in results if not r.get('skipped'))} series in {time.perf_counter() - start:.1f} s",
          file=sys.stderr)


def ensure_venv(venv_dir, peer):
    py = os.path.join(venv_dir, peer, "bin", "python")
    req = os.path.join(HERE, f"requirements-{'otava' if peer == 'otava' else 'mongo'}.txt")
    stamp = os.path.join(venv_dir, peer, ".installed")
    if os.path.exists(stamp) and open(stamp).read() == open(req).read():
        return py
    print(f"installing {peer} into {os.path.join(venv_dir, peer)} ...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", os.path.join(venv_dir, peer)], check=True, timeout=300)
    subprocess.run([py, "-m", "pip", "install", "-q", "-r", req], check=True, timeout=900)
    with open(stamp, "w") as fh:
        fh.write(open(req).read())
    return py


# ------------------------------------------------------------------------------------------------- scoring
def tolerance(n):
    return max(2, int(0.01 * n))


def match(truth, detected, tol):
    pairs = sorted((abs(t - d), t, d) for t in truth for d in detected if abs(t - d) <= tol)
    used_t, used_d = set(), set()
    for _, t, d in pairs:
        if t not in used_t and d not in used_d:
            used_t.add(t)
            used_d.add(d)
    return len(used_t), len(detected) - len(used_d), len(truth) - len(used_t)


def score_series(s, detected):
    """(tp, fp, fn, ramp_extras) for one series."""
    tol = tolerance(s["length"])
    detected = sorted(set(detected))
    if s["category"] == "ramp":
        lo, hi = s["ramp"][0] - tol, s["ramp"][1] + tol
        inside = [d for d in detected if lo <= d <= hi]
        fp = len(detected) - len(inside)
        return (1, fp, 0, len(inside) - 1) if inside else (0, fp, 1, 0)
    tp, fp, fn = match(s["change_points"], detected, tol)
    return tp, fp, fn, 0


def aggregate(series, results, tool, keep):
    """Per-category and overall metrics of one tool over the series for which keep(s) is true."""
    rows = {}
    for s in series:
        if not keep(s):
            continue
        r = results.get(s["id"])
        if r is None or r.get("skipped"):
            continue
        cats = [s["category"]] + (["overall"] if s["category"] != "variance" else [])
        if s["category"] != "variance" and s["category"] not in V2_CATEGORIES:
            cats.append("overall (v1 categories)")
        if s["category"] in NO_CHANGE:
            cats.append("no-change + spike")
        tp, fp, fn, extra = score_series(s, r["change_points"])
        for c in cats:
            a = rows.setdefault(c, {"series": 0, "tp": 0, "fp": 0, "fn": 0, "ramp_extras": 0, "with_detection": 0,
                                    "seconds": 0.0, "errors": 0, "max_seconds": 0.0})
            a["series"] += 1
            a["tp"] += tp
            a["fp"] += fp
            a["fn"] += fn
            a["ramp_extras"] += extra
            a["with_detection"] += 1 if r["change_points"] else 0
            a["seconds"] += r.get("seconds") or 0.0
            a["max_seconds"] = max(a["max_seconds"], r.get("seconds") or 0.0)
            a["errors"] += 1 if r.get("error") else 0
    for c, a in rows.items():
        p = a["tp"] / (a["tp"] + a["fp"]) if a["tp"] + a["fp"] else None
        rc = a["tp"] / (a["tp"] + a["fn"]) if a["tp"] + a["fn"] else None
        a["precision"] = p
        a["recall"] = rc
        a["f1"] = (2 * p * rc / (p + rc) if p + rc else 0.0) if p is not None and rc is not None else None
        if c in NO_CHANGE or c == "no-change + spike":
            a["fp_rate"] = a["with_detection"] / a["series"] if a["series"] else None
        a["mean_ms"] = 1000 * a["seconds"] / a["series"] if a["series"] else None
    return rows


def fmt(x, digits=3):
    return "—" if x is None else f"{x:.{digits}f}"


def table(scores, title, subset_note):
    out = [f"### {title}", "", subset_note, "",
           "| category | tool | series | TP | FP | FN | precision | recall | F1 | FP rate | time s | mean ms |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for c in CATEGORY_ORDER + ["no-change + spike", "overall (v1 categories)", "overall"]:
        for tool in TOOLS:
            a = scores.get(tool, {}).get(c)
            if not a:
                continue
            name = f"**{c}**" if c.startswith("overall") else c
            extra = f" (+{a['ramp_extras']} in-ramp)" if a["ramp_extras"] else ""
            errs = f" ({a['errors']} timeouts)" if a["errors"] else ""
            out.append(f"| {name} | {tool} | {a['series']}{errs} | {a['tp']} | {a['fp']}{extra} | {a['fn']} | "
                       f"{fmt(a['precision'])} | {fmt(a['recall'])} | {fmt(a['f1'])} | {fmt(a.get('fp_rate'))} | "
                       f"{a['seconds']:.2f} | {fmt(a['mean_ms'], 1)} |")
    return "\n".join(out)


def step_table(series, results_by_tool, keep):
    """Recall of single steps (up and down) by step size and noise."""
    cells = {}
    for s in series:
        if s["category"] not in ("step_up", "step_down") or not keep(s):
            continue
        for tool in TOOLS:
            r = results_by_tool.get(tool, {}).get(s["id"])
            if r is None or r.get("skipped"):
                continue
            tp, _, _, _ = score_series(s, r["change_points"])
            c = cells.setdefault((s["step"], tool), [0, 0])
            c[0] += tp
            c[1] += 1
    sizes = sorted({k[0] for k in cells})
    out = ["| step | " + " | ".join(f"{t} recall" for t in TOOLS) + " |", "|---:|" + "---:|" * len(TOOLS)]
    for size in sizes:
        row = [f"{int(round(size * 100))} %"]
        for tool in TOOLS:
            c = cells.get((size, tool))
            row.append(f"{c[0]}/{c[1]}" if c else "—")
        out.append("| " + " | ".join(row) + " |")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------- driver
def run_tool(cmd, timeout):
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, timeout=timeout, capture_output=True, text=True)
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return time.perf_counter() - t0, proc.stdout


def main():
    ap = argparse.ArgumentParser(description="Change-point accuracy: perfgate vs Otava vs MongoDB E-Divisive")
    ap.add_argument("--bench", default=os.path.join(ROOT, ".build", "release", "perfgate-bench"))
    ap.add_argument("--series", help="labelled series (default: generate with cpd_series.py's default seed)")
    ap.add_argument("--out", help="write the JSON results here (not committed)")
    ap.add_argument("--venv-dir", default=os.path.join(ROOT, ".build-cpd-venv"))
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma-separated; --tools perfgate skips the peers "
                    "(no virtual environments)")
    ap.add_argument("--perfgate-args", default="",
                    help="extra arguments for `perfgate-bench cpd`, e.g. '--last 200 --search global' (the old detect)")
    ap.add_argument("--mongo-max-len", type=int, default=500)
    ap.add_argument("--series-timeout", type=int, default=120, help="seconds per series (peers)")
    ap.add_argument("--tool-timeout", type=int, default=1800, help="seconds per tool")
    ap.add_argument("--run-peer", help=argparse.SUPPRESS)
    ap.add_argument("--input", help=argparse.SUPPRESS)
    ap.add_argument("--output", help=argparse.SUPPRESS)
    ap.add_argument("--max-len", type=int, default=0, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.run_peer:
        run_peer(a.run_peer, a.input, a.output, a.max_len, a.series_timeout)
        return

    tools = [t for t in a.tools.split(",") if t]
    work = tempfile.mkdtemp(prefix="cpd-accuracy-")
    series_path = a.series
    if not series_path:
        series_path = os.path.join(work, "series.json")
        subprocess.run([sys.executable, os.path.join(HERE, "cpd_series.py"), "--out", series_path], check=True,
                       timeout=300)
    with open(series_path) as fh:
        data = json.load(fh)
    series = data["series"]

    results, wall = {}, {}
    for tool in tools:
        out_path = os.path.join(work, f"{tool}.json")
        if tool == "perfgate":
            cmd = [a.bench, "cpd", "--input", series_path, "--output", out_path] + a.perfgate_args.split()
        else:
            py = ensure_venv(a.venv_dir, tool)
            cmd = [py, os.path.abspath(__file__), "--run-peer", tool, "--input", series_path, "--output", out_path,
                   "--series-timeout", str(a.series_timeout),
                   "--max-len", str(a.mongo_max_len if tool == "mongodb" else 0)]
        print(f"running {tool} ...", file=sys.stderr)
        wall[tool], stdout = run_tool(cmd, a.tool_timeout)
        if stdout.strip():
            print(stdout.strip(), file=sys.stderr)
        with open(out_path) as fh:
            results[tool] = {r["id"]: r for r in json.load(fh)["results"]}

    everything = lambda s: True  # noqa: E731
    subset = lambda s: s["length"] <= a.mongo_max_len  # noqa: E731
    scores_all = {t: aggregate(series, results[t], t, everything) for t in tools}
    scores_sub = {t: aggregate(series, results[t], t, subset) for t in tools}
    n_sub = sum(1 for s in series if subset(s))
    md = [
        f"## Change-point accuracy (generator v{data.get('generator')}, seed {data.get('seed')}, "
        f"{len(series)} series, {sum(s['length'] for s in series)} points)",
        "",
        f"Tolerance ±max(2, 1 % of length); greedy one-to-one matching; FP rate = share of series with ≥ 1 "
        f"detection; overall excludes `variance`. Wall time per tool (including process start and JSON): "
        + ", ".join(f"{t} {wall[t]:.1f} s" for t in tools) + ".",
        "",
        table(scores_all, "All series",
              f"perfgate and Otava: all {len(series)} series; MongoDB: the {n_sub} series of ≤ {a.mongo_max_len} "
              f"points only (see the next table for a like-for-like comparison)."),
        "",
        table(scores_sub, f"Same subset: the {n_sub} series of ≤ {a.mongo_max_len} points", "All tools on the same series."),
        "",
        f"### Single steps (up and down): recall by step size, all lengths (MongoDB ≤ {a.mongo_max_len} points)",
        "",
        step_table(series, results, everything),
    ]
    print("\n".join(md))
    if a.out:
        per_series = [{"id": s["id"], "category": s["category"], "length": s["length"],
                       "truth": s["change_points"], **({"ramp": s["ramp"]} if "ramp" in s else {}),
                       **{t: results[t].get(s["id"]) for t in tools}} for s in series]
        with open(a.out, "w") as fh:
            json.dump({"generator": data.get("generator"), "seed": data.get("seed"),
                       "mongo_max_len": a.mongo_max_len, "wall_seconds": wall,
                       "scores_all": scores_all, "scores_same_subset": scores_sub, "series": per_series}, fh, indent=1)
        print(f"\nresults -> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
