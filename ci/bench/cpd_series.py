#!/usr/bin/env python3
"""Seeded generator of labelled series for the change-point accuracy benchmark (issue 4, item 5).

    python3 ci/bench/cpd_series.py --out series.json [--seed 20240611]

Writes {"seed", "generator", "series": [{"id", "category", "values", "change_points", ...}]}.
Deterministic: the same seed gives byte-identical output (numpy's PCG64 via default_rng; one child
generator per series, so adding a category does not reshuffle the others).

Conventions
-----------
* A change point is the 0-based index of the FIRST point of the new regime (the convention of perfgate,
  Otava and MongoDB's signal_processing_algorithms alike).
* Levels are around 100 (a latency in ms, say); every value is positive (perfgate works on ln(values)).
* Noise is relative to the level: "normal" is level * (1 + s*N(0,1)), "lognormal" is level * exp(s*N(0,1)),
  "t3" is level * (1 + s*T3/sqrt(3)) (Student t, df = 3, scaled to unit variance), "pareto" is a right-skewed
  latency-like tail level * (1 + s*(P - E[P])/sd(P)) with P ~ Lomax/Pareto(a = 3) (finite variance, infinite
  fourth moment). Heavy-tailed values are floored at 5 % of the level to keep them positive (it is rare:
  about one value in 10^4 at s = 10 %); the floor is the only clipping.

Categories (the "category" field) and their truth ("change_points")
------------------------------------------------------------------
noise_normal, noise_lognormal, noise_heavy   no change: truth [].
spike          one outlier (x1.5 … x5) in otherwise pure noise, sometimes at the very first/last points:
               truth [] -- a single outlier is not a change of regime.
step_up        one upward step (regression) of 3 … 100 % at noise 1 … 10 %: truth [index].
step_down      one downward step (improvement), same grid, level divided by (1 + size): truth [index].
multi_step     2 … 4 steps of 5 … 50 % with random signs, segments at least max(10, n/8) long: truth [indices].
ramp           linear drift of 10 … 50 % over 10 … 30 % of the series: truth is the INTERVAL
               "ramp": [start, end] (start = first point off the old level, end = first point on the new level);
               "change_points" holds [start] and the scorer treats the ramp as one event (see cpd_accuracy.py).
variance       the noise sd jumps (x3 … x5) with the level unchanged: truth [index], but this category is
               reported separately and kept out of the overall scores: E-Divisive *means* with a t-test
               (perfgate, Otava) is not designed to see a pure variance change; a detection there is not an
               error, and a miss is expected.
bump_30_10     (generator v2) a short regress-then-fix bump: +30 % for 10 commits at 5 % noise, somewhere in
               the middle 70 % of the series: truth [start, end] (end = first point back on the old level).
bump_10_20     (v2) the same with +10 % for 20 commits at 2 % noise.
long_early_step (v2) 2,000–5,000 points with one step of 5 … 50 % (either sign) at index n/100 … n/100 + 150
               (near the start), noise 1 … 5 %: truth [index]. A detector that only looks at the newest few hundred
               commits cannot see it.
long_noise     (v2) 2,000–5,000 points of pure noise (log-normal, t3 or Pareto, 1 … 10 %): truth [] -- scored
               with the no-change series.

Lengths: 50, 100, 200, 500, 1000 and 2000, plus a fixed handful of 5,000-point series (noise, steps,
several steps, a ramp and a spike); the v2 categories come after all v1 series (so every v1 series is
unchanged: same child generator, same values).
"""
import argparse
import json
import math

import numpy as np

GENERATOR_VERSION = 2
LEVEL = 100.0
LENGTHS = [50, 100, 200, 500, 1000, 2000]
LENGTH_WEIGHTS = [0.25, 0.25, 0.2, 0.15, 0.1, 0.05]
NOISES = [0.01, 0.02, 0.05, 0.10]
STEP_SIZES = [0.03, 0.05, 0.10, 0.20, 0.50, 1.00]
PARETO_A = 3.0
PARETO_MEAN = 1.0 / (PARETO_A - 1.0)  # Lomax(a): mean 1/(a-1)
PARETO_SD = math.sqrt(PARETO_A / ((PARETO_A - 1.0) ** 2 * (PARETO_A - 2.0)))


def noise(rng, kind, s, n):
    """Multiplicative noise factors (mean about 1) of the given kind and relative sd."""
    if kind == "normal":
        f = 1.0 + s * rng.standard_normal(n)
    elif kind == "lognormal":
        f = np.exp(s * rng.standard_normal(n))
    elif kind == "t3":
        f = 1.0 + s * rng.standard_t(3, n) / math.sqrt(3.0)
    elif kind == "pareto":
        f = 1.0 + s * (rng.pareto(PARETO_A, n) - PARETO_MEAN) / PARETO_SD
    else:
        raise ValueError(kind)
    return np.maximum(f, 0.05)


def pick_length(rng):
    return int(rng.choice(LENGTHS, p=LENGTH_WEIGHTS))


def position(rng, n, lo=0.15, hi=0.85):
    return int(rng.integers(max(3, int(lo * n)), min(n - 3, int(hi * n)) + 1))


def make(category, rng, n=None):
    n = n if n is not None else pick_length(rng)
    meta = {}
    if category.startswith("noise_"):
        kind = {"noise_normal": "normal", "noise_lognormal": "lognormal"}.get(category) or str(
            rng.choice(["t3", "pareto"]))
        s = float(rng.choice(NOISES))
        values = LEVEL * noise(rng, kind, s, n)
        cps = []
        meta = {"noise": kind, "sd": s}
    elif category == "spike":
        kind = str(rng.choice(["normal", "lognormal"]))
        s = float(rng.choice(NOISES[:3]))
        values = LEVEL * noise(rng, kind, s, n)
        where = str(rng.choice(["first", "second", "middle", "middle", "middle", "last", "next_to_last"]))
        at = {"first": 0, "second": 1, "last": n - 1, "next_to_last": n - 2}.get(where)
        if at is None:
            at = position(rng, n, 0.05, 0.95)
        factor = float(rng.choice([1.5, 2.0, 3.0, 5.0]))
        values[at] *= factor
        cps = []
        meta = {"noise": kind, "sd": s, "spike_at": at, "spike_factor": factor}
    elif category in ("step_up", "step_down"):
        kind = str(rng.choice(["normal", "lognormal"]))
        s = float(rng.choice(NOISES))
        size = float(rng.choice(STEP_SIZES))
        at = position(rng, n)
        level = np.full(n, LEVEL)
        level[at:] = LEVEL * (1 + size) if category == "step_up" else LEVEL / (1 + size)
        values = level * noise(rng, kind, s, n)
        cps = [at]
        meta = {"noise": kind, "sd": s, "step": size}
    elif category == "multi_step":
        kind = str(rng.choice(["normal", "lognormal"]))
        s = float(rng.choice(NOISES[:3]))
        k = int(rng.integers(2, 5))
        gap = max(10, n // 8)
        while True:
            cps = sorted(int(x) for x in rng.choice(np.arange(gap, n - gap + 1), size=k, replace=False))
            if all(b - a >= gap for a, b in zip(cps, cps[1:])):
                break
        level = np.full(n, LEVEL)
        cur = LEVEL
        sizes = []
        for c in cps:
            size = float(rng.uniform(0.05, 0.5))
            up = bool(rng.integers(0, 2))
            cur = cur * (1 + size) if up else cur / (1 + size)
            level[c:] = cur
            sizes.append(size if up else -size)
        values = level * noise(rng, kind, s, n)
        meta = {"noise": kind, "sd": s, "steps": sizes}
    elif category == "ramp":
        kind = str(rng.choice(["normal", "lognormal"]))
        s = float(rng.choice(NOISES[:3]))
        size = float(rng.choice([0.10, 0.20, 0.30, 0.50]))
        width = max(5, int(rng.uniform(0.10, 0.30) * n))
        start = position(rng, n, 0.2, 0.8 - width / n)
        end = start + width
        level = np.full(n, LEVEL)
        level[start:end] = LEVEL * (1 + size * (np.arange(1, width + 1) / (width + 1)))
        level[end:] = LEVEL * (1 + size)
        values = level * noise(rng, kind, s, n)
        cps = [start]
        meta = {"noise": kind, "sd": s, "drift": size, "ramp": [start, end]}
    elif category == "variance":
        kind = str(rng.choice(["normal", "lognormal"]))
        s = float(rng.choice([0.01, 0.02]))
        factor = float(rng.choice([3.0, 5.0]))
        at = position(rng, n)
        f = noise(rng, kind, s, n)
        f[at:] = noise(rng, kind, s * factor, n - at)
        values = LEVEL * f
        cps = [at]
        meta = {"noise": kind, "sd": s, "sd_factor": factor}
    elif category in ("bump_30_10", "bump_10_20"):
        size, width, s = (0.30, 10, 0.05) if category == "bump_30_10" else (0.10, 20, 0.02)
        kind = str(rng.choice(["normal", "lognormal"]))
        start = position(rng, n, 0.15, 0.85 - width / n)
        level = np.full(n, LEVEL)
        level[start:start + width] = LEVEL * (1 + size)
        values = level * noise(rng, kind, s, n)
        cps = [start, start + width]
        meta = {"noise": kind, "sd": s, "bump": size, "width": width}
    elif category == "long_early_step":
        kind = str(rng.choice(["normal", "lognormal"]))
        s = float(rng.choice(NOISES[:3]))
        size = float(rng.choice([0.05, 0.10, 0.20, 0.50]))
        at = int(rng.integers(max(10, n // 100), n // 100 + 150))
        up = bool(rng.integers(0, 2))
        level = np.full(n, LEVEL)
        level[at:] = LEVEL * (1 + size) if up else LEVEL / (1 + size)
        values = level * noise(rng, kind, s, n)
        cps = [at]
        meta = {"noise": kind, "sd": s, "step": size if up else -size}
    elif category == "long_noise":
        kind = str(rng.choice(["lognormal", "t3", "pareto"]))
        s = float(rng.choice(NOISES))
        values = LEVEL * noise(rng, kind, s, n)
        cps = []
        meta = {"noise": kind, "sd": s}
    else:
        raise ValueError(category)
    return n, [float(round(v, 6)) for v in values], cps, meta


PLAN = [  # (category, number of series at random lengths)
    ("noise_normal", 40), ("noise_lognormal", 40), ("noise_heavy", 50), ("spike", 60),
    ("step_up", 90), ("step_down", 60), ("multi_step", 50), ("ramp", 40), ("variance", 40),
]
LONG = ["noise_lognormal", "noise_heavy", "step_up", "step_down", "multi_step", "ramp", "spike", "variance"]
# Generator v2, appended after every v1 series: (category, count, fixed length or None for random lengths).
PLAN_V2 = [("bump_30_10", 40, None), ("bump_10_20", 40, None)] + [
    ("long_early_step", 1, n) for n in [2000, 3000, 5000] * 4] + [("long_noise", 1, n) for n in [2000, 3000, 5000] * 3]


def generate(seed):
    root = np.random.SeedSequence(seed)
    jobs = [(c, None) for c, count in PLAN for _ in range(count)] + [(c, 5000) for c in LONG]
    jobs += [(c, n) for c, count, n in PLAN_V2 for _ in range(count)]
    children = root.spawn(len(jobs))
    series = []
    for i, ((category, fixed_n), child) in enumerate(zip(jobs, children)):
        rng = np.random.default_rng(child)
        n, values, cps, meta = make(category, rng, fixed_n)
        series.append({"id": f"{i:04d}-{category}-{n}", "category": category, "length": n,
                       "change_points": cps, **meta, "values": values})
    return series


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20240611)
    a = ap.parse_args()
    series = generate(a.seed)
    with open(a.out, "w") as fh:
        json.dump({"generator": GENERATOR_VERSION, "seed": a.seed, "series": series}, fh, separators=(",", ":"))
    counts = {}
    for s in series:
        counts[s["category"]] = counts.get(s["category"], 0) + 1
    print(f"{len(series)} series ({sum(s['length'] for s in series)} points) -> {a.out}: "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
