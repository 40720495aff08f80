#!/usr/bin/env python3
"""Reference vectors for perfgate's warm-up detection (docs/steady-state.md), an independent numpy
implementation of MSER-5 (White 1997; Franklin & White 2008):

  batch the series into means of 5 consecutive points (a remainder at the end is left out);
  for each truncation d = 0 .. k-2 (batches dropped from the start) of the k batch means Z:
      MSER(d) = sum((Z[d:] - mean(Z[d:]))**2) / (k - d)**2
  d* = argmin MSER(d) over d = 0 .. k // 2 (the first on ties; truncating more than half is not
  allowed, White's rule). A batch is "above" the level after a truncation d when its mean exceeds
  that level (the mean of Z[d:]) by more than 25 % and by more than 2 standard errors of a batch
  mean (the sample standard deviation of the points from batch d on, over sqrt(5)). The warm-up is
  the leading batches, among the first d*, that are above the level after d*: MSER-5 alone
  over-truncates short noisy series (a flat series gets d* > 0 by chance), and a warm-up is a
  stretch whose latency is above the steady level. The warm-up never ended when the argmin over all
  d = 0 .. k-2 lies past the first half and the batch at the half (Z[k // 2]) is above the level
  after that argmin: latency was still high half-way through.

The error-rate rise within a run (the last third of the steady state against the first) is
scipy.stats.fisher_exact([[last errors, last OK], [first errors, first OK]], alternative="greater"):
"rising, significant" when the last rate is higher and p <= 0.05.

Writes Tests/PerfgateCoreTests/Fixtures/stats/steady-vectors.json. The series are seeded draws: a
level with noise, with and without a known warm-up (a step or a decaying excess), a trend.

  python3 ci/gen-steady-vectors.py
"""
import json
import os

import numpy as np
import scipy
from scipy import stats

BATCH = 5


def mser(values, batch=BATCH):
    x = np.asarray(values, dtype=float)
    k = len(x) // batch
    z = x[: k * batch].reshape(k, batch).mean(axis=1)
    out = []
    for d in range(0, k - 1):
        tail = z[d:]
        out.append(float(((tail - tail.mean()) ** 2).sum() / (k - d) ** 2))
    return out


def warmup(values, batch=BATCH):
    """(d*, settled, warm-up batches); None for fewer than 2 batches."""
    x = np.asarray(values, dtype=float)
    k = len(x) // batch
    if k < 2:
        return None
    z = x[: k * batch].reshape(k, batch).mean(axis=1)
    stats = mser(values, batch)

    def threshold(d):
        level = z[d:].mean()
        se = x[d * batch :].std(ddof=1) / np.sqrt(batch)
        return max(level + 2 * se, level * 1.25)

    d_all = int(np.argmin(stats))
    if d_all > k // 2 and z[k // 2] > threshold(d_all):
        return d_all, False, None
    d = int(np.argmin(stats[: k // 2 + 1]))
    limit = threshold(d)
    w = 0
    while w < d and z[w] > limit:
        w += 1
    return d, True, w


def main():
    rng = np.random.default_rng(20261203)
    cases = []

    def add(name, series):
        series = [round(float(v), 6) for v in series]
        stats = mser(series)
        w = warmup(series)
        case = {"name": name, "series": series, "mser": stats}
        if w is not None:
            case.update({"truncation": w[0], "settled": w[1], "warmup_batches": w[2]})
        cases.append(case)

    add("flat", 25 + rng.normal(0, 1, 40))
    add("step warm-up 10 of 40", np.r_[100 + rng.normal(0, 4, 10), 25 + rng.normal(0, 1, 30)])
    add("step warm-up 12 of 60", np.r_[80 + rng.normal(0, 4, 12), 25 + rng.normal(0, 1, 48)])
    t = np.arange(60)
    add("decaying warm-up", 25 + 60 * np.exp(-t / 4.0) + rng.normal(0, 1, 60))
    add("rising trend", 25 + 0.8 * t + rng.normal(0, 1, 60))
    add("long warm-up 25 of 40", np.r_[100 + rng.normal(0, 3, 25), 25 + rng.normal(0, 1, 15)])
    add("short", 25 + rng.normal(0, 1, 9))
    rises = []
    for fn, fe, ln, le in [(1000, 1, 1000, 25), (1000, 5, 1000, 9), (500, 10, 500, 2), (200, 0, 200, 3), (4000, 40, 3900, 61)]:
        rising = le * fn > fe * ln
        p = float(stats.fisher_exact([[le, ln - le], [fe, fn - fe]], alternative="greater").pvalue) if rising else None
        verdict = "not rising" if not rising else ("rising, significant" if p <= 0.05 else "rising, not significant")
        rises.append({"first_requests": fn, "first_errors": fe, "last_requests": ln, "last_errors": le, "p": p, "verdict": verdict})
    out = os.path.join(os.path.dirname(__file__), "..", "Tests", "PerfgateCoreTests", "Fixtures", "stats", "steady-vectors.json")
    with open(out, "w") as f:
        json.dump(
            {"generator": "ci/gen-steady-vectors.py (numpy " + np.__version__ + ", scipy " + scipy.__version__ + ")", "batch": BATCH,
             "cases": cases, "error_rise": rises}, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
