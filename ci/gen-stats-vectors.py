#!/usr/bin/env python3
"""Writes Tests/PerfgateCoreTests/Fixtures/stats/vectors.json: reference vectors for perfgate's statistics.

Run by hand (SciPy/numpy); Python never runs at test time. Layout: stats.md section 12.
Where SciPy has no function (E-Divisive, Locust rule, HL selection, Bencher limits, verdict table)
the reference is a short independent implementation below.
"""
import json, math, os, sys
import numpy as np
import scipy
from scipy import stats, special

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "PerfgateCoreTests", "Fixtures", "stats", "vectors.json")
V = []
TIGHT = {"abs": 1e-12, "rel": 1e-9}
MED = {"abs": 1e-10, "rel": 1e-7}


def fix(x):
    if isinstance(x, dict):
        return {k: fix(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [fix(v) for v in x]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        return x
    return x


def vec(name, method, inputs, expected, params=None, tol=TIGHT, call=""):
    V.append({"name": name, "method": method, "inputs": fix(inputs), "params": fix(params or {}),
              "expected": fix(expected), "tolerance": tol, "scipy_call": call})


rng = np.random.default_rng(20240611)
r = lambda a, d=6: [round(float(v), d) for v in a]

# ---------------- special functions ----------------
xs = [-8.0, -3.5, -1.96, -0.5, 0.0, 0.3, 1.0, 2.5, 6.0]
vec("special_norm", "norm_cdf", {"x": xs}, {"cdf": stats.norm.cdf(xs), "sf": stats.norm.sf(xs)}, call="scipy.stats.norm.cdf/sf")
ps = [1e-12, 1e-5, 0.001, 0.025, 0.2, 0.5, 0.8, 0.975, 0.999, 1 - 1e-9]
vec("special_norm_ppf", "norm_ppf", {"p": ps}, {"ppf": stats.norm.ppf(ps)}, call="scipy.stats.norm.ppf")
tv = [-4.0, -1.2, 0.0, 0.7, 2.0, 5.5, 30.0]
for df in [1.0, 3.0, 29.0]:
    vec(f"special_t_cdf_df{int(df)}", "t_cdf", {"t": tv}, {"cdf": stats.t.cdf(tv, df), "sf": stats.t.sf(tv, df)},
        {"df": df}, call=f"scipy.stats.t.cdf(t, {df})")
for df in [2.37, 7.81, 151.2]:
    vec(f"special_t_cdf_noninteger_df_{df}", "t_cdf", {"t": tv}, {"cdf": stats.t.cdf(tv, df), "sf": stats.t.sf(tv, df)},
        {"df": df}, call=f"scipy.stats.t.cdf(t, {df})")
tp = [0.001, 0.025, 0.2, 0.5, 0.8, 0.9, 0.975, 0.99, 0.9995]
for df in [1.0, 2.0, 4.0, 4.6, 24.0, 1000.0]:
    vec(f"special_t_ppf_df{df}", "t_ppf", {"p": tp}, {"ppf": stats.t.ppf(tp, df)}, {"df": df}, call=f"scipy.stats.t.ppf(p, {df})")
for (n, p) in [(20, 0.5), (200, 0.95), (1000, 0.01), (10000, 0.999)]:
    ks = sorted(set([0, 1, int(n * p) - 3, int(n * p), int(n * p) + 2, n - 1, n]))
    ks = [k for k in ks if 0 <= k <= n]
    vec(f"special_binom_n{n}_p{p}", "binom_cdf", {"k": ks}, {"cdf": stats.binom.cdf(ks, n, p), "sf": stats.binom.sf(ks, n, p)},
        {"n": n, "p": p}, tol=MED, call="scipy.stats.binom.cdf/sf")
bi = [(0.5, 0.5, 0.3), (2.0, 3.0, 0.4), (10.0, 0.5, 0.9), (50.5, 80.0, 0.35), (1000.0, 30.0, 0.97), (3.2, 1.1, 1e-4)]
vec("special_betainc", "betainc", {"a": [b[0] for b in bi], "b": [b[1] for b in bi], "x": [b[2] for b in bi]},
    {"value": [special.betainc(*b) for b in bi]}, call="scipy.special.betainc")
hk = [(3, 20, 7, 12), (0, 50, 5, 10), (30, 1000, 120, 200), (2, 10, 4, 5)]
vec("special_hypergeom_logpmf", "hypergeom_logpmf",
    {"k": [h[0] for h in hk], "total": [h[1] for h in hk], "successes": [h[2] for h in hk], "draws": [h[3] for h in hk]},
    {"logpmf": [stats.hypergeom.logpmf(k, M, nn, N) for (k, M, nn, N) in hk]}, tol=MED,
    call="scipy.stats.hypergeom.logpmf(k, M=total, n=successes, N=draws)")

# ---------------- percentiles ----------------
x20 = r(rng.lognormal(4, 0.4, 20), 3)
lv = [0.0, 0.1, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0]
vec("percentile_type7_linear_n20", "percentile", {"x": x20}, {"value": np.percentile(x20, [100 * p for p in lv])},
    {"rule": "type7", "p": lv}, call="numpy.percentile(x, 100*p, method='linear')")
vec("percentile_n1", "percentile", {"x": [42.0]}, {"value": [42.0] * 3}, {"rule": "type7", "p": [0.0, 0.5, 0.99]}, call="numpy.percentile")
vec("percentile_n2", "percentile", {"x": [10.0, 20.0]}, {"value": np.percentile([10.0, 20.0], [0, 50, 95, 100])},
    {"rule": "type7", "p": [0.0, 0.5, 0.95, 1.0]}, call="numpy.percentile")


def nearest_rank(x, p):
    s = sorted(x); k = math.ceil(len(s) * p - 1e-9); return s[min(max(k, 1), len(s)) - 1]


def locust_rule(x, p):
    s = sorted(x); return s[min(int(len(s) * p), len(s) - 1)]


vec("percentile_nearest_rank_n20", "percentile", {"x": x20}, {"value": [nearest_rank(x20, p) for p in lv]},
    {"rule": "nearest_rank", "p": lv}, call="reference: sorted[ceil(n*p - 1e-9) - 1]")
vec("percentile_locust_rule_n20", "percentile", {"x": x20}, {"value": [locust_rule(x20, p) for p in lv]},
    {"rule": "locust", "p": lv}, call="reference: sorted[min(int(n*p), n-1)]")
one100 = [float(i) for i in range(1, 101)]
vec("percentile_rules_differ_at_integer_np", "percentile_rules", {"x": one100},
    {"type7": float(np.percentile(one100, 95)), "nearest_rank": nearest_rank(one100, 0.95), "locust": locust_rule(one100, 0.95)},
    {"p": 0.95}, call="numpy.percentile / reference rules")
one1000 = [float(i) for i in range(1, 1001)]
vec("percentile_float_pitfall_999", "percentile_rules", {"x": one1000},
    {"type7": float(np.percentile(one1000, 99.9)), "nearest_rank": nearest_rank(one1000, 0.999), "locust": locust_rule(one1000, 0.999),
     "naive_rank": math.ceil(1000 * (99.9 / 100))},
    {"p": 0.999}, call="reference; naive ceil(n*99.9/100) = 1000")
braw = [0.4, 0.5, 1.5, 2.5, 99.5, 125.0, 135.0, 145.0, 999.0, 1250.0, 1350.0, 9950.0, 12500.0, 13500.0, 58760.0, 147.0, 3432.0]


def locust_round(t):
    if t < 100: return float(round(t))
    if t < 1000: return float(round(t, -1))
    if t < 10000: return float(round(t, -2))
    return float(round(t, -3))


vec("locust_response_time_bucketing", "locust_bucket", {"ms": braw}, {"bucket": [locust_round(t) for t in braw]},
    call="reference: Python round (half to even) as locust/stats.py")
raw = r(rng.lognormal(5.2, 0.5, 400), 2)
buckets = {}
for t in raw:
    k = locust_round(t); buckets[k] = buckets.get(k, 0) + 1


def locust_pct(bk, n, p):
    num = int(n * p); proc = 0
    for t in sorted(bk, reverse=True):
        proc += bk[t]
        if n - proc <= num: return t
    return 0


lpl = [0.5, 0.66, 0.75, 0.8, 0.9, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0]
vec("locust_bucketed_vs_raw_percentiles", "locust_bucketed_percentiles", {"x": raw},
    {"locust": [locust_pct(buckets, len(raw), p) for p in lpl], "type7_raw": np.percentile(raw, [100 * p for p in lpl])},
    {"p": lpl}, call="reference: locust calculate_response_time_percentile; numpy.percentile on raw")
vec("tail_min_requests_table", "tail_min_requests", {"p": [0.5, 0.9, 0.95, 0.99, 0.999]},
    {"min_count": [max(math.ceil(10 / (1 - p) - 1e-9), n) for p, n in zip([0.5, 0.9, 0.95, 0.99, 0.999], [6, 36, 72, 368, 3688])]},
    call="reference: max(ceil(10/(1-p) - 1e-9), n_CI(p))")

# ---------------- Mann-Whitney ----------------


def mwu(name, c, b, alt="two-sided", method="auto", cont=True, tol=TIGHT):
    res = stats.mannwhitneyu(c, b, alternative=alt, method=method, use_continuity=cont)
    ties = len(set(list(c) + list(b))) < len(c) + len(b)
    used = method if method != "auto" else ("exact" if min(len(c), len(b)) <= 8 and not ties else "asymptotic")
    vec(name, "mannwhitneyu", {"current": list(c), "baseline": list(b)},
        {"u1": res.statistic, "p": res.pvalue, "method": used},
        {"alternative": alt, "method": method, "use_continuity": cont}, tol=tol,
        call=f"scipy.stats.mannwhitneyu(current, baseline, alternative='{alt}', method='{method}', use_continuity={cont})")


c7 = [12.1, 13.4, 11.9, 14.2, 15.0, 13.8, 12.7]
b6 = [11.0, 11.5, 12.0, 10.8, 12.6, 11.2]
mwu("mwu_exact_two_sided", c7, b6)
mwu("mwu_exact_greater", c7, b6, "greater")
mwu("mwu_exact_less", c7, b6, "less")
mwu("mwu_separation_n3", [4.0, 5.0, 6.0], [1.0, 2.0, 3.0])
mwu("mwu_separation_n4", [5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0, 4.0])
mwu("mwu_u_equals_mn_over_2", [1.0, 4.0, 5.0, 8.0], [2.0, 3.0, 6.0, 7.0])
c8 = r(rng.normal(10.5, 1, 8), 4); b20 = r(rng.normal(10, 1, 20), 4)
mwu("mwu_n8_vs_n20_exact", c8, b20)
c9 = [1.0, 2.2, 3.1, 4.5, 5.0, 6.3, 7.7, 8.1, 9.9]; c9 = [v + 4 for v in c9]
b9 = [1.1, 2.0, 2.9, 3.3, 4.1, 5.2, 6.0, 6.6, 7.2]
mwu("mwu_n9_vs_n9_auto_asymptotic", c9, b9)
mwu("mwu_n9_vs_n9_forced_exact", c9, b9, method="exact")
ct = [3.0, 4.0, 4.0, 5.0, 6.0, 6.0, 7.0]; bt = [2.0, 3.0, 3.0, 4.0, 4.0, 5.0]
mwu("mwu_small_ties_continuity", ct, bt)
mwu("mwu_small_ties_no_continuity", ct, bt, cont=False)
cl = [float(v) for v in np.round(rng.lognormal(3.05, 0.3, 200))]; bl = [float(v) for v in np.round(rng.lognormal(3.0, 0.3, 180))]
mwu("mwu_large_ties_two_sided", cl, bl, tol=MED)
mwu("mwu_large_ties_greater", cl, bl, "greater", tol=MED)
mwu("mwu_large_ties_less", cl, bl, "less", tol=MED)
same = [1.0, 2.0, 3.0, 4.0, 5.0]
mwu("mwu_identical_samples", same, same)
mwu("mwu_all_values_equal_sigma_zero", [3.0] * 6, [3.0] * 5)
tbl = []
for n in [2, 3, 4, 5, 6]:
    tbl.append(stats.mannwhitneyu(list(range(n, 2 * n)), list(range(0, n)), method="exact").pvalue)
vec("mwu_min_two_sided_p_table", "mwu_min_p_table", {"n": [2, 3, 4, 5, 6]}, {"p": tbl},
    call="scipy.stats.mannwhitneyu(range(n,2n), range(n), method='exact')")
counts = {}
for combo in __import__("itertools").combinations(range(7), 3):
    u = sum(combo) - 3
    counts[u] = counts.get(u, 0) + 1
vec("mwu_exact_null_counts_m3_n4", "mwu_null_counts", {"m": 3, "n": 4}, {"counts": [counts.get(u, 0) for u in range(13)]},
    call="reference: enumeration of C(7,3) rank sets")
cb = [(10.0, 40), (11.0, 70), (12.0, 55), (13.0, 30), (15.0, 5)]
bb = [(9.0, 20), (10.0, 60), (11.0, 80), (12.0, 30), (14.0, 10)]
expand = lambda bk: [v for v, k in bk for _ in range(k)]
for alt in ["two-sided", "greater"]:
    res = stats.mannwhitneyu(expand(cb), expand(bb), alternative=alt, method="asymptotic")
    vec(f"mwu_weighted_buckets_{alt}", "mannwhitneyu_weighted",
        {"current": [[v, k] for v, k in cb], "baseline": [[v, k] for v, k in bb]}, {"u1": res.statistic, "p": res.pvalue},
        {"alternative": alt}, tol=MED, call="scipy.stats.mannwhitneyu(expanded current, expanded baseline, method='asymptotic')")

# Draws kept so that the vectors after them stay as pinned.
bigc = r(rng.normal(100.7, 3, 60), 3); bigb = r(rng.normal(100.0, 3, 70), 3)

# ---------------- t tests ----------------
wc = [10.2, 11.8, 9.9, 12.5, 13.1, 10.7, 11.4]; wb = [9.1, 9.8, 10.0, 9.4, 9.7, 10.3, 9.2, 9.9, 10.1]


def tvec(name, c, b, alt="two-sided", eq=False):
    res = stats.ttest_ind(c, b, equal_var=eq, alternative=alt)
    vec(name, "ttest", {"current": c, "baseline": b}, {"t": res.statistic, "df": res.df, "p": res.pvalue},
        {"alternative": alt, "equal_var": eq}, call=f"scipy.stats.ttest_ind(current, baseline, equal_var={eq}, alternative='{alt}')")


tvec("welch_t_two_sided", wc, wb)
tvec("welch_t_greater", wc, wb, "greater")
tvec("welch_t_less", wc, wb, "less")
tvec("welch_t_on_log_values", r(np.log(wc), 12), r(np.log(wb), 12))
tvec("student_t_pooled_two_sided", wc, wb, eq=True)
tvec("student_t_pooled_greater", wc, wb, "greater", eq=True)
vec("welch_zero_variance_equal", "ttest", {"current": [5.0] * 4, "baseline": [5.0] * 3}, {"p": 1.0},
    {"alternative": "two-sided", "equal_var": False}, call="scipy gives NaN; perfgate rule p=1 (stats.md 9.4)")
vec("welch_zero_variance_diff", "ttest", {"current": [6.0] * 4, "baseline": [5.0] * 3}, {"p": 0.0},
    {"alternative": "two-sided", "equal_var": False}, call="scipy gives p=0 with t=inf; perfgate rule p=0")
h1 = [10.0, 11.0, 12.0, 11.5, 10.5]; h2 = [12.0, 13.0, 12.5, 13.5, 12.8, 13.1]
res = stats.ttest_ind_from_stats(np.mean(h2), np.std(h2), len(h2), np.mean(h1), np.std(h1), len(h1), equal_var=True)
vec("hunter_compat_ttest_from_stats_ddof0", "ttest_from_stats",
    {"mean_current": np.mean(h2), "sd_current": np.std(h2), "n_current": len(h2), "mean_baseline": np.mean(h1), "sd_baseline": np.std(h1),
     "n_baseline": len(h1)}, {"t": res.statistic, "p": res.pvalue}, {"equal_var": True},
    call="scipy.stats.ttest_ind_from_stats(..., np.std (ddof 0), equal_var=True) as Hunter does")

# ---------------- history models ----------------


def t1(h, c, sigma_min=0.0, quant="none", alpha=0.05, prior=None):
    y = np.log(h); x = np.log(c)
    N, k = len(y), len(x)
    yb, xb = y.mean(), x.mean()
    sh = y.std(ddof=1)
    df = N - 1
    if prior is not None:
        # Moderated variance (Smyth 2004): the prior sigma0^2 is worth df0 degrees of freedom.
        sigma0, df0 = prior
        sh = math.sqrt((((y - yb) ** 2).sum() + df0 * sigma0 ** 2) / (df + df0))
        df = df + df0
    centre = math.exp(yb)
    step = 0.0
    if quant == "locust":
        step = 1 if centre < 100 else 10 if centre < 1000 else 100 if centre < 10000 else 1000
    floor = max(sigma_min, step / math.sqrt(12) / centre)
    s = max(sh, floor)
    d0 = xb - yb
    se = s * math.sqrt(1 / k + 1 / N)
    if se > 0:
        T = d0 / se; p = 2 * stats.t.sf(abs(T), df); q = stats.t.ppf(1 - alpha / 2, df)
        lo, hi = math.exp(d0 - q * se), math.exp(d0 + q * se)
    else:
        p = 1.0 if d0 == 0 else 0.0; lo = hi = math.exp(d0)
    return {"ratio": math.exp(d0), "se": se, "df": df, "p": p, "ci_lower": lo, "ci_upper": hi,
            "baseline_centre": centre, "current_centre": math.exp(xb), "sigma": s}


hist = [181.2, 176.4, 185.0, 179.8, 183.3, 177.9, 180.6, 186.1, 178.2, 182.7, 175.9, 184.4, 181.9, 179.1, 183.8, 177.2, 180.1, 185.6, 178.8, 182.2]
for nm, cur in [("history_log_t_regression_k3", [204.0, 210.3, 202.5]), ("history_log_t_k1", [199.0]),
                ("history_log_t_no_change_k3", [181.0, 179.5, 183.2])]:
    vec(nm, "history_log_t", {"history": hist, "current": cur}, t1(hist, cur), {"alpha": 0.05},
        call="reference T1 with scipy.stats.t.sf/ppf")
vec("history_log_t_zero_variance_equal", "history_log_t", {"history": [50.0] * 6, "current": [50.0]}, t1([50.0] * 6, [50.0]),
    call="reference T1 zero-variance rule")
vec("history_log_t_zero_variance_diff", "history_log_t", {"history": [50.0] * 6, "current": [55.0]}, t1([50.0] * 6, [55.0]),
    call="reference T1 zero-variance rule")
vec("history_log_t_locust_quantization_floor", "history_log_t", {"history": [180.0] * 8, "current": [190.0]},
    t1([180.0] * 8, [190.0], quant="locust"), {"quantization": "locust"}, call="reference T1 with sigma_q = (10/sqrt 12)/180")
for nm, hh, cur_, prior in [
    ("history_log_t_moderated_short_history", [120.0, 130.0, 130.0, 130.0, 120.0], [110.0], (0.10, 4.0)),
    ("history_log_t_moderated_long_history", hist, [199.0], (0.04, 4.0)),
]:
    vec(nm, "history_log_t", {"history": hh, "current": cur_}, t1(hh, cur_, prior=prior),
        {"alpha": 0.05, "prior_sigma": prior[0], "prior_df": prior[1]},
        call="reference T1 with the moderated variance (ss + df0*sigma0^2)/(N-1+df0), scipy.stats.t with N-1+df0 df")
segs = [[100.0, 103.0, 98.0, 101.5, 99.2, 102.4], [120.0, 118.5, 123.1, 121.0], [119.2, 122.5, 120.3]]
cur = [131.0, 128.4]
ys = [np.log(s_) for s_ in segs]
Nn = sum(len(s_) for s_ in segs); S = len(segs)
s2 = sum(((y_ - y_.mean()) ** 2).sum() for y_ in ys) / (Nn - S)
s_ = math.sqrt(s2); dfp = Nn - S
d0 = np.log(cur).mean() - ys[-1].mean(); se = s_ * math.sqrt(1 / len(cur) + 1 / len(segs[-1]))
qq = stats.t.ppf(0.975, dfp)
vec("pooled_segment_history_model", "history_log_t_pooled", {"segments": segs, "current": cur},
    {"ratio": math.exp(d0), "se": se, "df": dfp, "p": 2 * stats.t.sf(abs(d0 / se), dfp), "ci_lower": math.exp(d0 - qq * se),
     "ci_upper": math.exp(d0 + qq * se), "sigma": s_}, call="reference T1b with scipy.stats.t")
# A draw kept so that the vectors after it stay as pinned.
h30 = r(rng.normal(250, 12, 30), 2)

# ---------------- quantile CIs, quantile test, Fisher, error rates ----------------


def orders(n, p, alpha=0.05):
    F = lambda k: stats.binom.cdf(k, n, p)
    l = 0
    for j in range(0, n + 1):
        if F(j - 1) <= alpha / 2: l = j
    u = None
    for j in range(1, n + 1):
        if F(j - 1) >= 1 - alpha / 2: u = j; break
    lo = l if l >= 1 else None
    cov = (F(u - 1) - F(lo - 1)) if (lo is not None and u is not None) else None
    return lo, u, cov


for n, p in [(20, 0.5), (200, 0.95), (1000, 0.99), (10, 0.9), (5, 0.5)]:
    lo, u, cov = orders(n, p)
    vec(f"quantile_ci_orders_n{n}_p{p}", "quantile_ci_orders", {"n": n}, {"lower": lo, "upper": u, "coverage": cov}, {"p": p, "alpha": 0.05},
        tol=MED, call="reference with scipy.stats.binom.cdf")


def min_n(p, alpha=0.05):
    n = 1
    while True:
        lo, u, _ = orders(n, p, alpha)
        if lo is not None and u is not None: return n
        n += 1 if n < 50 else 1


vec("quantile_ci_min_n_table", "quantile_ci_min_n", {"p": [0.5, 0.9, 0.95, 0.99, 0.999]}, {"n": [6, 36, 72, 368, 3688]},
    call="stats.md T6 table; checked: " + ",".join(str(min_n(p)) for p in [0.5, 0.9, 0.95]))
qc = r(rng.lognormal(5.1, 0.35, 150), 2); qb = r(rng.lognormal(5.0, 0.3, 160), 2)
tq = float(np.percentile(qc + qb, 90))
ac = sum(1 for v in qc if v > tq); ab = sum(1 for v in qb if v > tq)
vec("quantile_test_p90_fisher", "quantile_test", {"current": qc, "baseline": qb},
    {"threshold": tq, "current_above": ac, "baseline_above": ab,
     "p": stats.fisher_exact([[ac, len(qc) - ac], [ab, len(qb) - ab]]).pvalue,
     "p_greater": stats.fisher_exact([[ac, len(qc) - ac], [ab, len(qb) - ab]], alternative="greater").pvalue},
    {"p": 0.9}, tol=MED, call="numpy.percentile(pooled, 90); scipy.stats.fisher_exact([[a', nc-a'], [a, nb-a]])")
for nm, t_, alt in [("fisher_exact_two_sided", [[8, 2], [1, 5]], "two-sided"), ("fisher_exact_greater", [[8, 2], [1, 5]], "greater"),
                    ("fisher_exact_less", [[3, 9], [7, 4]], "less"), ("fisher_exact_two_sided_asymmetric", [[12, 30], [2, 41]], "two-sided"),
                    ("fisher_exact_symmetric_table", [[5, 5], [5, 5]], "two-sided"), ("fisher_exact_zero_margin", [[0, 5], [0, 7]], "two-sided")]:
    res = stats.fisher_exact(t_, alternative=alt)
    vec(nm, "fisher_exact", {"table": t_}, {"p": res.pvalue, "odds_ratio": res.statistic}, {"alternative": alt}, tol=MED,
        call=f"scipy.stats.fisher_exact(table, alternative='{alt}')")
hf, hn = 130, 100000; fc, nc = 22, 9000
p0 = hf / hn
vec("error_rate_binomial_vs_pooled_history", "error_rate_binomial", {"failures": fc, "requests": nc, "history_failures": hf, "history_requests": hn},
    {"pooled_rate": p0, "p": stats.binom.sf(fc - 1, nc, p0), "delta": fc / nc - p0}, tol=MED, call="scipy.stats.binom.sf(f_c - 1, n_c, p0)")
res = stats.fisher_exact([[31, 9969], [12, 10988]])
vec("error_rate_fisher_exact", "error_rate_fisher", {"failures": 31, "requests": 10000, "baseline_failures": 12, "baseline_requests": 11000},
    {"p": res.pvalue, "delta": 31 / 10000 - 12 / 11000}, tol=MED, call="scipy.stats.fisher_exact([[f_c, n_c-f_c], [f_b, n_b-f_b]])")

# ---------------- tier C, paired ----------------


def lnfit(med, qs):
    num = sum(stats.norm.ppf(p) * math.log(q / med) for p, q in qs if p > 0.5)
    den = sum(stats.norm.ppf(p) ** 2 for p, q in qs if p > 0.5)
    return num / den


bsum = {"median": 120.0, "p90": 210.0, "p95": 260.0, "p99": 400.0, "count": 5000}
csum = {"median": 126.0, "p90": 228.0, "p95": 290.0, "p99": 450.0, "count": 4800}
sig = {}
for key, sm in [("b", bsum), ("c", csum)]:
    sig[key] = lnfit(sm["median"], [(0.9, sm["p90"]), (0.95, sm["p95"]), (0.99, sm["p99"])])
se = lambda s_, p, n: s_ * math.sqrt(p * (1 - p) / n) / stats.norm.pdf(stats.norm.ppf(p))
seb, sec = se(sig["b"], 0.95, bsum["count"]), se(sig["c"], 0.95, csum["count"])
zc = math.log(csum["p95"] / bsum["p95"]) / math.sqrt(seb ** 2 + sec ** 2)
vec("tier_c_lognormal_quantile_se_p95", "tier_c", {"baseline": bsum, "current": csum},
    {"sigma_baseline": sig["b"], "sigma_current": sig["c"], "se_baseline": seb, "se_current": sec, "z": zc, "p": 2 * stats.norm.sf(abs(zc)),
     "mean_se_baseline": math.sqrt(math.expm1(sig["b"] ** 2) / bsum["count"])}, {"p": 0.95},
    call="reference T9 with scipy.stats.norm")
# ---------------- multiplicity ----------------
pv = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216, 0.222, 0.251, 0.269, 0.275, 0.34, 0.341, 0.384, 0.569, 0.594, 0.696, 0.762, 0.94, 0.942, 0.975, 0.986]
pvs = [pv[i] for i in [5, 0, 17, 3, 9, 1, 24, 12, 2, 8, 20, 4, 15, 6, 22, 11, 7, 19, 10, 13, 18, 14, 23, 16, 21]]


def holm(p):
    p = np.asarray(p); m = len(p); o = np.argsort(p, kind="stable"); q = np.empty(m); run = 0
    for s, i in enumerate(o, 1):
        run = max(run, min(1, (m - s + 1) * p[i])); q[i] = run
    return q


vec("fdr_bh_adjusted", "fdr", {"p": pvs}, {"q": stats.false_discovery_control(pvs, method="bh")}, {"method": "bh"}, call="scipy.stats.false_discovery_control(p, method='bh')")
vec("fdr_by_adjusted", "fdr", {"p": pvs}, {"q": stats.false_discovery_control(pvs, method="by")}, {"method": "by"}, call="scipy.stats.false_discovery_control(p, method='by')")
pt = [0.01, 0.02, 0.02, 0.02, 0.5, 0.01]
vec("fdr_bh_ties", "fdr", {"p": pt}, {"q": stats.false_discovery_control(pt)}, {"method": "bh"}, call="scipy.stats.false_discovery_control")
vec("fdr_bh_single", "fdr", {"p": [0.03]}, {"q": [0.03]}, {"method": "bh"}, call="scipy.stats.false_discovery_control")
pn = [0.01, float("nan"), 0.04, 0.03, float("nan")]
qn = stats.false_discovery_control([0.01, 0.04, 0.03])
vec("fdr_bh_nan_excluded", "fdr", {"p": pn}, {"q": [qn[0], float("nan"), qn[1], qn[2], float("nan")]}, {"method": "bh"},
    call="scipy.stats.false_discovery_control on the non-NaN p only")
vec("holm_adjusted", "fdr", {"p": pvs}, {"q": holm(pvs)}, {"method": "holm"}, call="reference Holm step-down (statsmodels multipletests 'holm')")

# ---------------- MDE / runs needed / Hampel ----------------


def mde(s_, N, k=1, alpha=0.05, power=0.8):
    return math.expm1((stats.t.ppf(1 - alpha / 2, N - 1) + stats.t.ppf(power, N - 1)) * s_ * math.sqrt(1 / k + 1 / N))


cases = [(s_, N, k) for s_ in [0.01, 0.02, 0.03, 0.05, 0.10] for (N, k) in [(5, 1), (10, 1), (20, 1), (30, 1), (20, 3), (20, 5)]]
vec("mde_history_log_t_table", "mde", {"sigma": [c[0] for c in cases], "n": [c[1] for c in cases], "k": [c[2] for c in cases]},
    {"mde": [mde(*c) for c in cases]}, {"alpha": 0.05, "power": 0.8}, call="exp((t.ppf(1-a/2,N-1)+t.ppf(power,N-1))*s*sqrt(1/k+1/N))-1")


def runs_needed(s_, N, th):
    for k in range(1, 101):
        if mde(s_, N, k) <= th: return k
    return None


vec("runs_needed_for_5pct", "runs_needed", {"sigma": 0.03, "n": 20}, {"k": runs_needed(0.03, 20, 0.05)}, {"target": 0.05}, call="reference smallest k")
vec("runs_needed_unreachable", "runs_needed", {"sigma": 0.10, "n": 5}, {"k": runs_needed(0.10, 5, 0.05)}, {"target": 0.05}, call="reference: None")
hy = [5.10, 5.12, 5.09, 5.11, 5.13, 5.10, 5.60, 5.08, 5.12, 4.70, 5.11]
med = np.median(hy); mad = np.median(np.abs(np.asarray(hy) - med))
vec("hampel_filter_k5", "hampel", {"y": hy}, {"keep": [bool(abs(v - med) <= 5 * 1.4826 * mad) for v in hy]}, {"k": 5.0},
    call="|y - median| <= 5*1.4826*MAD")
vec("hampel_mad_zero_keeps_all", "hampel", {"y": [1.0, 1.0, 1.0, 1.0, 9.0]}, {"keep": [True] * 5}, {"k": 5.0}, call="MAD = 0 keeps all")

# ---------------- verdict ----------------


def verdict(c):
    if not c.get("has_baseline", True): return "no-baseline", []
    if c.get("insufficient"): return "insufficient-data", [c["insufficient"]]
    if c.get("min_abs", 0) > 0 and abs(c.get("abs_delta", float("inf"))) <= c.get("min_abs", 0): return "pass", ["below resolution"]
    er = c.get("error_rate", False)
    tw = 0.001 if er else math.log1p(0.05); tf = 0.005 if er else math.log1p(0.10)
    q = c.get("q"); sig = q is not None and not math.isnan(q) and q <= 0.05
    d = c["effect"]; reasons = []
    if sig and d >= tf: v = "fail"
    elif sig and d >= tw: v = "warn"
    elif not sig and d >= tf: v = "warn"; reasons.append("large but not significant; noisy")
    elif sig and d <= -tw: v = "improved"
    else: v = "pass"
    if v == "fail" and c["tier"] in ("A", "C") and not c.get("single_pair_can_fail", False):
        v = "warn"; reasons.append("single pair: no run-to-run noise model")
    return v, reasons


L = math.log
vcases = [
    {"effect": L(1.13), "q": 0.001, "tier": "B"}, {"effect": L(1.10), "q": 0.05, "tier": "B"},
    {"effect": L(1.07), "q": 0.01, "tier": "B"}, {"effect": L(1.05), "q": 0.01, "tier": "B"},
    {"effect": L(1.049), "q": 0.01, "tier": "B"}, {"effect": L(1.12), "q": 0.2, "tier": "B"},
    {"effect": L(1.06), "q": 0.2, "tier": "B"}, {"effect": -L(1.08), "q": 0.001, "tier": "B"},
    {"effect": -L(1.04), "q": 0.001, "tier": "B"}, {"effect": -L(1.3), "q": 0.3, "tier": "B"},
    {"effect": L(1.2), "q": 0.001, "tier": "A"}, {"effect": L(1.2), "q": 0.001, "tier": "C"},
    {"effect": L(1.2), "q": 0.001, "tier": "A", "single_pair_can_fail": True}, {"effect": L(1.2), "q": None, "tier": "C"},
    {"effect": L(1.2), "q": float("nan"), "tier": "B"}, {"effect": L(1.2), "q": 0.0, "tier": "B", "abs_delta": 0.6, "min_abs": 1.0},
    {"effect": 0.0, "q": 0.5, "tier": "B", "has_baseline": False}, {"effect": 0.0, "q": 0.5, "tier": "B", "insufficient": "too few history runs"},
    {"effect": 0.006, "q": 0.001, "tier": "B", "error_rate": True}, {"effect": 0.002, "q": 0.001, "tier": "B", "error_rate": True},
    {"effect": 0.0005, "q": 0.001, "tier": "B", "error_rate": True}, {"effect": 0.006, "q": 0.3, "tier": "B", "error_rate": True},
    {"effect": L(1.2), "q": 0.001, "tier": "P"}, {"effect": L(1.2), "q": 0.001, "tier": "R"},
]
outs = [verdict(c) for c in vcases]
vec("verdict_table", "verdict_table", {"cases": vcases}, {"verdict": [o[0] for o in outs], "reasons": [o[1] for o in outs]},
    {"alpha": 0.05, "warn_rel": 0.05, "fail_rel": 0.10, "warn_abs": 0.001, "fail_abs": 0.005}, call="reference: stats.md section 4")

# ---------------- change points ----------------


def qhat(z):
    L_ = len(z); Q = [0.0] * (L_ + 1); A = 0.0; Bx = 0.0
    By = sum(abs(z[i] - z[j]) for i in range(L_) for j in range(i + 1, L_))
    for tau in range(L_ + 1):
        n, m = tau, L_ - tau
        if n >= 1 and m >= 1:
            wx = Bx / (n * (n - 1) / 2) if n >= 2 else 0.0
            wy = By / (m * (m - 1) / 2) if m >= 2 else 0.0
            Q[tau] = (n * m / (n + m)) * (2 * A / (n * m) - wx - wy)
        if tau < L_:
            col = sum(abs(z[i] - z[tau]) for i in range(tau)); row = sum(abs(z[tau] - z[j]) for j in range(tau + 1, L_))
            A += row - col; Bx += col; By -= row
    return Q


def qhat_brute(z):
    L_ = len(z); Q = [0.0] * (L_ + 1)
    for tau in range(1, L_):
        X, Y = z[:tau], z[tau:]; n, m = len(X), len(Y)
        xy = sum(abs(a - b_) for a in X for b_ in Y)
        xx = sum(abs(X[i] - X[k]) for i in range(n) for k in range(i + 1, n)) / (n * (n - 1) / 2) if n >= 2 else 0
        yy = sum(abs(Y[i] - Y[k]) for i in range(m) for k in range(i + 1, m)) / (m * (m - 1) / 2) if m >= 2 else 0
        Q[tau] = n * m / (n + m) * (2 * xy / (n * m) - xx - yy)
    return Q


def best_split(y, a, b, ms):
    L_ = b - a
    if L_ < 2 * ms: return None
    Q = qhat(y[a:b]); t = ms
    for tt in range(ms, L_ - ms + 1):
        if Q[tt] > Q[t]: t = tt
    return a + t, Q[t]


def welch_p(x, y):
    if len(x) < 2 or len(y) < 2: return 1.0
    vx, vy = np.var(x, ddof=1) / len(x), np.var(y, ddof=1) / len(y)
    if vx + vy == 0: return 1.0 if np.mean(x) == np.mean(y) else 0.0
    return float(stats.ttest_ind(y, x, equal_var=False).pvalue)


def edivisive(series, ms=3, pmax=0.001, minmag=0.02):
    y = [math.log(v) for v in series]; n = len(y); CP = []; memo = {}
    while True:
        best = None; B = [0] + CP + [n]
        for a, b_ in zip(B[:-1], B[1:]):
            if (a, b_) not in memo: memo[(a, b_)] = best_split(y, a, b_, ms)
            s_ = memo[(a, b_)]
            if s_ is None: continue
            tau, q = s_
            p = welch_p(y[a:tau], y[tau:b_])
            if p <= pmax and (best is None or q > best[1] or (q == best[1] and tau < best[0])): best = (tau, q)
        if best is None: break
        CP = sorted(CP + [best[0]])
    ps = []
    while CP:
        B = [0] + CP + [n]; ps = []; mags = []
        for i in range(1, len(CP) + 1):
            ps.append(welch_p(y[B[i - 1]:CP[i - 1]], y[CP[i - 1]:B[i + 1]]))
            mags.append(math.expm1(abs(np.mean(y[CP[i - 1]:B[i + 1]]) - np.mean(y[B[i - 1]:CP[i - 1]]))))
        i = int(np.argmax(ps))
        if ps[i] > pmax: CP.pop(i); continue
        j = int(np.argmin(mags))
        if mags[j] < minmag: CP.pop(j); continue
        break
    B = [0] + CP + [n]
    rel = [math.expm1(np.mean(y[B[i]:B[i + 1]]) - np.mean(y[B[i - 1]:B[i]])) for i in range(1, len(B) - 1)]
    return CP, ps if CP else [], rel


def cpvec(name, series, note):
    cp, ps, rel = edivisive(series)
    vec(name, "edivisive", {"series": series}, {"indices": cp, "p": ps, "relative_change": rel},
        {"min_size": 3, "p_max": 0.001, "min_magnitude": 0.02}, tol=MED, call="reference E-Divisive (stats.md 5.2): " + note)


vec("edivisive_qhat_profile_toy", "qhat_profile", {"z": [1.0, 1.0, 1.0, 5.0, 5.0, 5.0]}, {"q": qhat([1.0, 1.0, 1.0, 5.0, 5.0, 5.0])},
    call="reference incremental QHAT_PROFILE")
zi = r(rng.normal(0, 1, 17), 4); zi[9:] = [v + 1.5 for v in zi[9:]]
vec("edivisive_qhat_profile_irregular", "qhat_profile", {"z": zi}, {"q": qhat_brute(zi)}, tol=MED, call="reference brute-force Q-hat")
noise = lambda n, s_=0.01: np.exp(rng.normal(0, s_, n))
cpvec("edivisive_clear_step", r(100 * noise(40) * np.r_[np.ones(20), 1.10 * np.ones(20)], 4), "+10% at 20")
cpvec("edivisive_no_step", r(100 * noise(40), 4), "noise only")
cpvec("edivisive_two_steps", r(100 * noise(60) * np.r_[np.ones(20), 1.12 * np.ones(20), 0.95 * np.ones(20)], 4), "steps at 20 and 40")
cpvec("edivisive_small_step_below_magnitude", r(100 * noise(60, 0.003) * np.r_[np.ones(30), 1.015 * np.ones(30)], 5), "+1.5% at 0.3% noise")
sp = 100 * noise(40); sp[17] *= 1.8
cpvec("edivisive_single_spike", r(sp, 4), "one 80% outlier")


class SplitMix64:
    def __init__(self, seed): self.s = seed & (2 ** 64 - 1)

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & (2 ** 64 - 1); z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & (2 ** 64 - 1)
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & (2 ** 64 - 1)
        return z ^ (z >> 31)


g = SplitMix64(0)
outs = [g.next() for _ in range(5)]
g2 = SplitMix64(0x5EED)
outs2 = [g2.next() for _ in range(3)]
vec("splitmix64_outputs", "splitmix64", {"seeds": [0, 0x5EED]}, {"hex": [[f"{o:016x}" for o in outs], [f"{o:016x}" for o in outs2]]},
    params={"count": [5, 3]}, call="reference SplitMix64 (Steele, Lea & Flood 2014)")


# ---------------- within-run drift (Drift.fit / Drift.assess) ----------------
# Own generator so that the vectors above stay as pinned.
drng = np.random.default_rng(20261203)


def drift_vec(name, x, y, minimum=5.0):
    res = stats.linregress(x, y)
    n = len(x)
    t = stats.t.ppf(0.975, n - 2)
    lo, hi = res.slope - t * res.stderr, res.slope + t * res.stderr
    level = float(np.mean(y))
    pct = lambda v: v * 3600 / abs(level) * 100
    if n < 10 or max(x) - min(x) < 10:
        verdict = "not enough data"
    elif pct(lo) > 0 and pct(res.slope) > minimum:
        verdict = "drifting up"
    elif pct(hi) < 0 and pct(res.slope) < -minimum:
        verdict = "drifting down"
    elif pct(lo) >= -minimum and pct(hi) <= minimum:
        verdict = "no drift"
    else:
        verdict = "inconclusive"
    vec(name, "drift", {"time": list(x), "value": list(y)},
        {"slope_per_hour": res.slope * 3600, "stderr_per_hour": res.stderr * 3600, "low_per_hour": lo * 3600,
         "high_per_hour": hi * 3600, "level": level, "verdict": verdict},
        {"minimum_percent_per_hour": minimum}, tol=MED,
        call="scipy.stats.linregress(time, value); slope ± t.ppf(0.975, n-2)·stderr, ×3600")


secs = [float(i) + 0.5 for i in range(60)]
drift_vec("drift_rising_p95", secs, r(100 + 0.05 * np.array(secs) + drng.normal(0, 0.5, 60), 4))
long = [float(i) + 0.5 for i in range(300)]
drift_vec("drift_flat_noise", long, r(100 + drng.normal(0, 0.05, 300), 4))
drift_vec("drift_falling", secs, r(200 - 0.02 * np.array(secs) + drng.normal(0, 0.3, 60), 4))
drift_vec("drift_wide_noise_inconclusive", secs[:12], r(100 + drng.normal(0, 20, 12), 4))
mem_t = [float(1796269000 + i) for i in range(20)]
drift_vec("drift_memory_steps_absolute_time", mem_t, [67108864.0 + 65536.0 * k for k in [0, 30, 70, 110, 150, 180, 220, 260, 300, 330, 370, 410, 450, 480, 520, 560, 600, 640, 670, 710]], minimum=1.0)
drift_vec("drift_nine_points_not_enough", secs[:9], r(100 + 0.5 * np.array(secs[:9]), 4))
drift_vec("drift_short_span_not_enough", [i * 0.5 for i in range(15)], r(100 + drng.normal(0, 0.5, 15), 4))


doc = {"schema_version": 1, "generated_with": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__},
       "conventions": {"argument_order": "two-sample calls take current first, baseline second",
                       "tolerance": "|a - e| <= abs + rel*|e|; integers, booleans, strings and index lists exact",
                       "non_finite": "'Infinity', '-Infinity', 'NaN' strings; null = absent/unbounded",
                       "percentile_levels": "fractions (0.95, never 95)"},
       "vectors": V}
assert len({v["name"] for v in V}) == len(V), "duplicate vector names"
with open(OUT, "w") as f:
    # one vector per line: small, diffable
    head = {k: doc[k] for k in ("schema_version", "generated_with", "conventions")}
    f.write("{\n")
    for k, v in head.items():
        f.write(f" {json.dumps(k)}: {json.dumps(v, allow_nan=False)},\n")
    f.write(' "vectors": [\n')
    f.write(",\n".join("  " + json.dumps(v, allow_nan=False) for v in V))
    f.write("\n ]\n}\n")
print(f"wrote {len(V)} vectors to {os.path.normpath(OUT)}")
