#!/usr/bin/env python3
"""Replay harness: how often does the gate raise a false alarm or miss a regression on a realistic
CI history? Python 3 stdlib only. Usually called through ci/replay.sh.

  ci/replay.py generate [--out DIR] [--only c01,c02] --k6 BIN
        Runs the REAL k6 and Locust once per commit of ci/replay/history.json against
        ci/fixtures/server.py on 127.0.0.1 and writes the result files to
        Tests/PerfgateCLITests/Fixtures/replay/<commit>/ plus manifest.json.

  ci/replay.py replay --perfgate BIN [--budget FILE] [--flavour NAME]... [--tsv FILE] [--keep DIR]
                      [--fixtures DIR] [--no-fail]
        For each input flavour (k6-summary, k6-ndjson, locust-csv, locust-json): a throwaway git
        repository with the history's commits and branches, a fresh store, and `perfgate check` at
        every commit in CI order. Scores every (flavour, commit) against the expectation and prints
        a confusion table. Exit 0 only when every cell is ok (--no-fail: always 0 unless the harness
        itself broke).

Only 127.0.0.1 is ever contacted. Every tool call is bounded by `timeout`.
"""

import argparse
import csv
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HISTORY = os.path.join(ROOT, "ci", "replay", "history.json")
DEFAULT_FIXTURES = os.path.join(ROOT, "Tests", "PerfgateCLITests", "Fixtures", "replay")
DEFAULT_BUDGET = os.path.join(ROOT, "ci", "replay", "budgets.json")
SERVER = os.path.join(ROOT, "ci", "fixtures", "server.py")
K6_SCRIPT = os.path.join(ROOT, "ci", "replay", "k6-script.js")
LOCUSTFILE = os.path.join(ROOT, "ci", "replay", "locustfile.py")

# Input flavours: each is replayed as its own, independent history. Files per commit directory.
FLAVOURS = {
    "k6-summary": ["k6-summary.json"],
    "k6-ndjson": ["k6.ndjson.gz"],
    "locust-csv": ["locust_stats.csv", "locust_stats_history.csv"],
    "locust-json": ["locust.json"],
}
# locust_stats_history.csv is kept only below this size.
HISTORY_CSV_MAX_BYTES = 200_000
MIN_REQUESTS_PER_ENDPOINT = 250
# `nice -n -15`: the load generators and the server are perturbed less by compilers running beside
# them (needs root; without it nice only warns and runs the command unchanged).
NICE = ["nice", "-n", "-15"]


def log(msg):
    print(f"[replay {time.monotonic() - START:5.0f}s] {msg}", file=sys.stderr, flush=True)


START = time.monotonic()


def load_history():
    with open(HISTORY, encoding="utf-8") as f:
        h = json.load(f)
    h["byId"] = {c["id"]: c for c in h["commits"]}
    return h


# --------------------------------------------------------------------------------------------------
# generate


class Server:
    """ci/fixtures/server.py on a free port of 127.0.0.1, stopped on exit of the `with` block."""

    def __init__(self, history, commit, seed, max_seconds, workdir):
        cfg = commit["server"]
        self.args = [
            "timeout", str(max_seconds + 10), *NICE, sys.executable, SERVER, "--port", "0",
            "--max-seconds", str(max_seconds), "--latency", history["server"]["latency"],
            "--jitter", str(cfg.get("jitter", history["server"]["jitter"])), "--seed", str(seed),
        ]
        if cfg.get("slow"):
            self.args += ["--slow", cfg["slow"]]
        if cfg.get("errorRate"):
            self.args += ["--error-rate", cfg["errorRate"]]
        self.workdir = workdir
        self.proc = None
        self.port = None

    def __enter__(self):
        self.err = open(os.path.join(self.workdir, "server.err"), "w")
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=self.err, text=True,
                                     start_new_session=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT="):
            self.__exit__(None, None, None)
            raise SystemExit(f"replay: the server did not start: {open(self.err.name).read()}")
        self.port = int(line.strip().split("=", 1)[1])
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.err.close()


def run_bounded(args, cwd, env, timeout_s, ok_codes, what):
    """Runs args under `timeout` (and nice); stdout/stderr to files in cwd. Exit on an unexpected code."""
    out = open(os.path.join(cwd, f"{what}.stdout"), "w")
    err = open(os.path.join(cwd, f"{what}.stderr"), "w")
    rc = subprocess.call(["timeout", "-k", "5", str(timeout_s), *NICE, *args], cwd=cwd, env=env,
                         stdout=out, stderr=err)
    out.close()
    err.close()
    if rc not in ok_codes:
        sys.stderr.write(open(err.name).read()[-4000:])
        raise SystemExit(f"replay: {what} exited {rc}")
    return rc


def k6_endpoint_stats(path, endpoints):
    m = json.load(open(path))["metrics"]
    out = {}
    for ep in endpoints.values():
        method, name = ep.split(" ", 1)
        d = m.get(f"http_req_duration{{name:{name},method:{method}}}", {})
        f = m.get(f"http_req_failed{{name:{name},method:{method}}}", {})
        out[ep] = {"count": int(d.get("count", 0)), "p50": d.get("med"), "p95": d.get("p(95)"),
                   "error_rate": f.get("value")}
    return out


def locust_endpoint_stats(path, endpoints):
    rows = {f'{r["Type"]} {r["Name"]}': r for r in csv.DictReader(open(path, newline=""))}
    out = {}
    for ep in endpoints.values():
        r = rows.get(ep)
        if r is None:
            out[ep] = {"count": 0, "p50": None, "p95": None, "error_rate": None}
            continue
        n = int(r["Request Count"])
        out[ep] = {"count": n, "p50": float(r["50%"]), "p95": float(r["95%"]),
                   "error_rate": int(r["Failure Count"]) / n if n else None}
    return out


def generate(args):
    h = load_history()
    k6 = args.k6 or os.environ.get("K6") or shutil.which("k6")
    if not k6:
        raise SystemExit("replay generate: no k6 (pass --k6 or set K6; ci/replay.sh installs it)")
    vus, seconds = h["load"]["vus"], h["load"]["seconds"]
    out_root = os.path.abspath(args.out)
    os.makedirs(out_root, exist_ok=True)
    only = set(args.only.split(",")) if args.only else None
    work = tempfile.mkdtemp(prefix="perfgate-replay-gen.")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"))}
    base_env["NO_PROXY"] = base_env["no_proxy"] = "127.0.0.1,localhost"
    summary = {}
    generated = {}
    try:
        for cid in h["ciOrder"]:
            if only and cid not in only:
                continue
            c = h["byId"][cid]
            seed = c["server"]["seed"]
            cdir = os.path.join(out_root, cid)
            tmp = os.path.join(work, cid)
            shutil.rmtree(tmp, ignore_errors=True)
            os.makedirs(tmp)
            t0 = time.monotonic()
            generated[cid] = {"utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                              "loadavg1": round(os.getloadavg()[0], 2)}

            # k6: one run, summary export and gzipped NDJSON points.
            with Server(h, c, seed, seconds + 40, tmp) as srv:
                env = dict(base_env, BASE_URL=f"http://127.0.0.1:{srv.port}", VUS=str(vus), DURATION=f"{seconds}s",
                           K6_NO_USAGE_REPORT="true")
                run_bounded([k6, "run", "--quiet", "--no-usage-report", "--summary-export", "k6-summary.json",
                             "--out", "json=k6.ndjson.gz", K6_SCRIPT], tmp, env, seconds + 30, (0, 99), "k6")
            # Locust: one run, CSV set and JSON file. Users stop after `seconds` and idle 3 s so the
            # CSV (written from a 1-second loop) is final.
            with Server(h, c, seed + 1000, seconds + 40, tmp) as srv:
                env = dict(base_env, PERFGATE_ACTIVE_SECONDS=str(seconds))
                run_bounded([sys.executable, "-m", "locust", "--headless", "--only-summary", "--skip-log",
                             "-u", str(vus), "-r", str(vus), "-f", LOCUSTFILE,
                             "--host", f"http://127.0.0.1:{srv.port}", "-t", f"{seconds + 3}s",
                             "--csv", "locust", "--json-file", "locust"], tmp, env, seconds + 40, (0, 1), "locust")

            keep = ["k6-summary.json", "k6.ndjson.gz", "locust_stats.csv", "locust.json"]
            hist = os.path.join(tmp, "locust_stats_history.csv")
            if os.path.exists(hist) and os.path.getsize(hist) <= HISTORY_CSV_MAX_BYTES:
                keep.append("locust_stats_history.csv")
            for name in keep:
                if not os.path.exists(os.path.join(tmp, name)):
                    raise SystemExit(f"replay generate: {cid}: no {name} was written")
            shutil.rmtree(cdir, ignore_errors=True)
            os.makedirs(cdir)
            for name in keep:
                shutil.copy(os.path.join(tmp, name), os.path.join(cdir, name))

            ks = k6_endpoint_stats(os.path.join(cdir, "k6-summary.json"), h["endpoints"])
            ls = locust_endpoint_stats(os.path.join(cdir, "locust_stats.csv"), h["endpoints"])
            summary[cid] = {"k6": ks, "locust": ls}
            low = [f"{tool} {ep} {s['count']}" for tool, st in (("k6", ks), ("locust", ls)) for ep, s in st.items()
                   if s["count"] < MIN_REQUESTS_PER_ENDPOINT]
            n_min = min(s["count"] for st in (ks, ls) for s in st.values())
            log(f"{cid}: {time.monotonic() - t0:.0f}s, >= {n_min} requests per endpoint"
                + (f"  WARNING: below {MIN_REQUESTS_PER_ENDPOINT}: {', '.join(low)}" if low else ""))
    finally:
        if args.keep_work:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    write_manifest(h, out_root, k6, generated)
    print_medians(h, out_root)


def write_manifest(h, out_root, k6=None, generated=None):
    """manifest.json: a copy of the history plus tool versions, the files and when each commit was measured
    (with the machine's 1-minute load average then). Entries of commits not measured now are kept."""
    path = os.path.join(out_root, "manifest.json")
    old = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            old = json.load(f)
    m = {k: v for k, v in h.items() if k != "byId"}
    m["about"] = ("Written by `ci/replay.py generate` (or `manifest`) from ci/replay/history.json: a copy, plus "
                  "tool versions and when each commit was measured. Each commit directory holds one k6 run "
                  "(k6-summary.json, k6.ndjson.gz) and one Locust run (locust_stats.csv, locust_stats_history.csv, "
                  "locust.json) against ci/fixtures/server.py with that commit's server settings.")
    tools = dict(old.get("tools", {}))
    if k6:
        tools["k6"] = subprocess.run([k6, "version"], capture_output=True, text=True).stdout.split("\n")[0].strip()
        try:
            import importlib.metadata as md
            tools["locust"] = md.version("locust")
        except Exception:  # noqa: BLE001 - informative only
            pass
    m["tools"] = tools
    m["generated"] = dict(old.get("generated", {}), **(generated or {}))
    m["files"] = {cid: sorted(os.listdir(os.path.join(out_root, cid)))
                  for cid in h["ciOrder"] if os.path.isdir(os.path.join(out_root, cid))}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(m, f, indent=2, ensure_ascii=False)
        f.write("\n")


def check_manifest(h, fixtures):
    """Refuses fixtures measured with other server settings than the history says; notes a stale copy."""
    path = os.path.join(fixtures, "manifest.json")
    if not os.path.exists(path):
        log(f"notice: no {path}; cannot check that the fixtures match ci/replay/history.json")
        return
    with open(path, encoding="utf-8") as f:
        m = json.load(f)
    measured = {c["id"]: c for c in m.get("commits", [])}
    differ = [cid for cid in h["ciOrder"]
              if measured.get(cid, {}).get("server") != h["byId"][cid]["server"]
              or m.get("server") != h["server"] or m.get("load") != h["load"]]
    if differ:
        raise SystemExit(f"replay: the fixtures of {', '.join(differ)} were measured with other server settings or "
                         f"load than ci/replay/history.json says; regenerate them (ci/replay.sh generate --only "
                         f"{','.join(differ)})")
    if {k: v for k, v in m.items() if k in h and k not in ("about",)} != {k: v for k, v in h.items()
                                                                          if k not in ("byId", "about")}:
        log("notice: manifest.json differs from ci/replay/history.json (expectations edited?); "
            "refresh it with `ci/replay.py manifest`")


def print_medians(h, fixtures):
    """Per-commit p50/p95 per endpoint (k6 summary and Locust CSV): do the injected changes show?"""
    eps = list(h["endpoints"].values())
    short = {ep: ep.split(" ", 1)[1].replace("/api/", "") for ep in eps}
    for tool, fn, fname in (("k6 summary", k6_endpoint_stats, "k6-summary.json"),
                            ("locust csv", locust_endpoint_stats, "locust_stats.csv")):
        print(f"\n{tool}: p50 / p95 ms per endpoint (n = requests; err = error rate)")
        print("commit " + "".join(f"{short[ep]:>19}" for ep in eps) + "   min n")
        for cid in h["ciOrder"]:
            p = os.path.join(fixtures, cid, fname)
            if not os.path.exists(p):
                continue
            st = fn(p, h["endpoints"])
            cells = []
            for ep in eps:
                s = st[ep]
                cell = "-" if s["p50"] is None else f"{s['p50']:.0f} / {s['p95']:.0f}"
                if s["error_rate"]:
                    cell += f" err{s['error_rate'] * 100:.0f}%"
                cells.append(f"{cell:>19}")
            print(f"{cid:<7}" + "".join(cells) + f"   {min(s['count'] for s in st.values()):>5}")


# --------------------------------------------------------------------------------------------------
# replay

CI_VARS = ["GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "GITHUB_SHA", "GITHUB_REF", "GITHUB_REF_NAME", "GITHUB_HEAD_REF",
           "GITHUB_BASE_REF", "GITLAB_CI", "CI_COMMIT_SHA", "CI_COMMIT_REF_NAME", "CI_COMMIT_BRANCH",
           "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "BUILDKITE", "CIRCLECI", "JENKINS_URL", "CI",
           "PERFGATE_COMMIT", "PERFGATE_BRANCH", "PERFGATE_COMMIT_TIME", "PERFGATE_STORE", "PERFGATE_BASELINE"]
# Fixed commit dates: the replay repository has the same shas on every run.
EPOCH = 1_735_725_600  # 2025-01-01T10:00:00Z


class Repo:
    def __init__(self, path):
        self.path = path
        os.makedirs(path)
        self.env = {k: v for k, v in os.environ.items() if k not in CI_VARS and not k.startswith("GIT_")}
        self.env.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
                         "GIT_AUTHOR_NAME": "perfgate replay", "GIT_AUTHOR_EMAIL": "replay@perfgate.invalid",
                         "GIT_COMMITTER_NAME": "perfgate replay", "GIT_COMMITTER_EMAIL": "replay@perfgate.invalid"})

    def git(self, *args, env=None):
        r = subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                           cwd=self.path, env=dict(self.env, **(env or {})), capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"replay: git {' '.join(args)} failed: {r.stderr}")
        return r.stdout.strip()

    def commit(self, c, when):
        with open(os.path.join(self.path, "CHANGES"), "a", encoding="utf-8") as f:
            f.write(c["message"] + "\n")
        self.git("add", "CHANGES")
        date = f"@{when} +0000"
        self.git("commit", "-q", "-m", c["message"], env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date})
        return self.git("rev-parse", "HEAD")


def finding_label(f):
    ep = f.get("endpoint") or "(all)"
    metric = "" if f.get("metric") == "http_req_duration" else f" {f.get('metric')}"
    return f"{ep}{metric} {f.get('statistic')}"


def short_label(f):
    """`orders p95`, `products error_rate` for the table."""
    ep = f.get("endpoint") or "(all)"
    name = ep.split(" ", 1)[-1].replace("/api/", "")
    return f"{name} {f.get('statistic')}"


def expected_fail(c, f):
    """The fail this commit must produce: its endpoint (and statistic, when the history names one)."""
    return f.get("endpoint") == c["failEndpoint"] and (
        "failStatistic" not in c or f.get("statistic") == c["failStatistic"])


def allowed_fail(c, f):
    """A fail the history allows beside the expected one (`mayAlsoFail`: "(all)" is the whole-run
    series, which contains the regressed endpoint; optionally followed by a statistic)."""
    for entry in c.get("mayAlsoFail", []):
        ep, _, stat = entry.partition(" ") if entry.startswith("(all)") else entry.rpartition(" ")
        ep = "" if ep == "(all)" else ep
        if f.get("endpoint") == ep and (not stat or f.get("statistic") == stat):
            return True
    return False


def score(c, h, rc, doc, stderr):
    """(outcome, details): outcome is ok, FALSE ALARM, MISS, WRONG, IMPROVED, CONTROL FLAGGED or SILENT
    (a commit whose class must say why it did not fail, e.g. the noise commit, gave no such notice)."""
    if rc not in (0, 2) or doc is None:
        lines = stderr.strip().splitlines()
        first_error = next((l for l in lines if "error" in l.lower()), lines[-1] if lines else "no output")
        return "WRONG", f"exit {rc}: {first_error[:300]}"
    findings = doc.get("findings", [])
    fails = [f for f in findings if f.get("verdict") == "fail"]
    warns = [f for f in findings if f.get("verdict") == "warn"]
    improved = [f for f in findings if f.get("verdict") == "improved"]
    if c["expect"] == "fail":
        hit = [f for f in fails if expected_fail(c, f)]
        other = [f for f in fails if not expected_fail(c, f) and not allowed_fail(c, f)]
        if rc != 2 or not hit:
            return "MISS", f"expected a fail on {c['failEndpoint']} {c.get('failStatistic', '')}".rstrip()
        if other:
            return "FALSE ALARM", "also failed: " + ", ".join(sorted({finding_label(f) for f in other}))
        return "ok", ""
    if rc == 2 or fails:
        return "FALSE ALARM", "failed: " + ", ".join(sorted({finding_label(f) for f in fails}))
    control = h.get("control")
    flagged = [f for f in fails + warns if f.get("endpoint") == control]
    if c["class"] == "borderline" and flagged:
        return "CONTROL FLAGGED", ", ".join(sorted({finding_label(f) for f in flagged}))
    if c.get("notImproved") and improved:
        return "IMPROVED", "reported improved: " + ", ".join(sorted({finding_label(f) for f in improved}))
    if c.get("saysWhy") and not any(c["saysWhy"] in n for n in doc.get("notices", [])):
        return "SILENT", f"no notice saying {c['saysWhy']!r}"
    return "ok", ""


def replay_flavour(flavour, h, fixtures, budget, perfgate, work):
    """Replays the history for one input flavour; returns a list of row dicts in CI order."""
    repo = Repo(os.path.join(work, "repo"))
    outdir = os.path.join(work, "out")
    os.makedirs(outdir)
    repo.git("init", "-q")
    repo.git("symbolic-ref", "HEAD", "refs/heads/main")
    with open(os.path.join(repo.path, ".gitignore"), "w") as f:
        f.write("results/\n.perfgate/\n")
    repo.git("add", ".gitignore")
    shas = {}
    rows = []
    for i, cid in enumerate(h["ciOrder"]):
        c = h["byId"][cid]
        # Build the history as CI saw it: the commit is made (on its branch) just before its check.
        if c["parent"] is None:
            pass
        elif repo.git("rev-parse", "--abbrev-ref", "HEAD") != c["branch"] or repo.git("rev-parse", "HEAD") != shas[c["parent"]]:
            branches = repo.git("branch", "--format=%(refname:short)").split()
            if c["branch"] in branches:
                repo.git("checkout", "-q", c["branch"])
                if repo.git("rev-parse", "HEAD") != shas[c["parent"]]:
                    raise SystemExit(f"replay: {cid}: branch {c['branch']} is not at its parent {c['parent']}")
            else:
                repo.git("checkout", "-q", "-b", c["branch"], shas[c["parent"]])
        shas[cid] = repo.commit(c, EPOCH + 3600 * i)

        res = os.path.join(repo.path, "results")
        shutil.rmtree(res, ignore_errors=True)
        os.makedirs(res)
        copied = []
        for name in FLAVOURS[flavour]:
            src = os.path.join(fixtures, cid, name)
            if os.path.exists(src):
                shutil.copy(src, os.path.join(res, name))
                copied.append(name)
        if not copied:
            raise SystemExit(f"replay: {cid}: no {flavour} files in {os.path.join(fixtures, cid)}")

        out_json = os.path.join(outdir, f"{cid}.json")
        env = {k: v for k, v in repo.env.items()}
        env["PERFGATE_ENVIRONMENT"] = "replay"
        args = [perfgate, "check", "--budget", budget, "results/", "--json", out_json,
                "--markdown", os.path.join(outdir, f"{cid}.md")]
        t0 = time.monotonic()
        try:
            p = subprocess.run(args, cwd=repo.path, env=env, capture_output=True, text=True, timeout=120)
            rc, stdout, stderr = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired:
            rc, stdout, stderr = 124, "", "perfgate check timed out after 120 s"
        elapsed = time.monotonic() - t0
        with open(os.path.join(outdir, f"{cid}.out"), "w") as f:
            f.write(stdout)
        with open(os.path.join(outdir, f"{cid}.err"), "w") as f:
            f.write(stderr)
        doc = None
        if os.path.exists(out_json):
            try:
                doc = json.load(open(out_json, encoding="utf-8"))
            except ValueError:
                doc = None
        outcome, detail = score(c, h, rc, doc, stderr)
        findings = (doc or {}).get("findings", [])
        caught = c["expect"] == "fail" and rc == 2 and any(
            f.get("verdict") == "fail" and expected_fail(c, f) for f in findings)
        def labels(verdict, fn=finding_label):
            return sorted({fn(f) for f in findings if f.get("verdict") == verdict})
        rows.append({
            "flavour": flavour, "commit": cid, "class": c["class"], "expected": c["expect"], "exit": rc,
            "failing": labels("fail"), "warned": labels("warn"), "improved": labels("improved"),
            "failingShort": labels("fail", short_label), "warnedShort": labels("warn", short_label),
            "improvedShort": labels("improved", short_label),
            "verdict": (doc or {}).get("verdict"), "baseline": (doc or {}).get("baseline"),
            "baselineMissing": (doc or {}).get("baselineMissing"),
            "outcome": outcome, "detail": detail, "seconds": elapsed, "stderr": stderr, "caught": caught,
        })
    return rows


def cell_text(r):
    if r["exit"] not in (0, 2):
        word = f"exit {r['exit']}"
    elif r["failingShort"]:
        word = "FAIL " + compress(r["failingShort"])
    elif r["warnedShort"]:
        word = "warn " + compress(r["warnedShort"])
    else:
        word = "pass"
    if r["outcome"] == "ok":
        return word + " ✓"
    if r["outcome"] == "IMPROVED":
        word += f", {len(r['improved'])} improved"
    return f"{word} ✗ {r['outcome']}"


def compress(labels, most=3):
    """`orders p50`, `orders p95`, `(all) p95` → `orders p50+p95, (all) p95`; at most `most` endpoints."""
    by = {}
    for lab in labels:
        name, _, stat = lab.rpartition(" ")
        by.setdefault(name, []).append(stat)
    names = sorted(by, key=lambda n: (n == "(all)", n))
    parts = [f"{n} {'+'.join(by[n])}" for n in names]
    return ", ".join(parts) if len(parts) <= most else ", ".join(parts[:most - 1]) + f" +{len(parts) - most + 1} more"


def print_table(h, flavours, rows_by):
    cols = [("commit", 6), ("class", 11), ("expect", 8)] + [(f, 0) for f in flavours]
    lines = []
    for cid in h["ciOrder"]:
        c = h["byId"][cid]
        cells = [cid + ("" if c["branch"] == "main" else "*"), c["class"], c["expect"]]
        for fl in flavours:
            r = next(r for r in rows_by[fl] if r["commit"] == cid)
            cells.append(cell_text(r))
        lines.append(cells)
    widths = [max(len(col[0]), *(len(l[i]) for l in lines)) for i, col in enumerate(cols)]
    fmt = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
    print(fmt([c[0] for c in cols]))
    print(fmt(["-" * w for w in widths]))
    for l in lines:
        print(fmt(l))
    print("(* = feature branch, forked from c08)")


def totals(h, rows):
    def n(pred):
        return sum(1 for r in rows if pred(r))
    c = h["byId"]
    reg = [r for r in rows if c[r["commit"]]["expect"] == "fail"]
    # A regression that landed on main (c08's orders) must not fail again on later commits (c09, c10,
    # c11, c12, and the feature commits built on it): those compare with a baseline that has it.
    order = h["ciOrder"]
    landed = [(order.index(x["id"]), x["failEndpoint"]) for x in h["commits"]
              if x["class"] == "regression" and x["branch"] == h.get("mainBranch", "main")]

    def stale_candidate(r):
        return c[r["commit"]]["class"] != "regression" and any(order.index(r["commit"]) > i for i, _ in landed)

    def stale(r):
        return stale_candidate(r) and any(order.index(r["commit"]) > i and x.startswith(ep + " ")
                                          for i, ep in landed for x in r["failing"])
    nochange = [r for r in rows if c[r["commit"]]["class"] in ("no-change", "baseline")]
    return {
        "regressions caught": f"{n(lambda r: r in reg and r['caught'])}/{len(reg)}",
        "false alarms on no-change commits": f"{n(lambda r: r in nochange and r['exit'] == 2)}/{len(nochange)}",
        "warnings on no-change commits": f"{n(lambda r: r in nochange and r['exit'] == 0 and r['warned'])}/{len(nochange)}",
        "noise commit failed": f"{n(lambda r: c[r['commit']]['class'] == 'noise' and r['exit'] == 2)}/{n(lambda r: c[r['commit']]['class'] == 'noise')}",
        "c07 reported improved": f"{n(lambda r: c[r['commit']].get('notImproved') and bool(r['improved']))}/{n(lambda r: c[r['commit']].get('notImproved'))}",
        "improvement failed (its endpoint)": f"{n(lambda r: any(x.startswith(c[r['commit']].get('improvedEndpoint', '?') + ' ') for x in r['failing']))}/{n(lambda r: c[r['commit']]['class'] == 'improvement')}",
        "borderline control flagged": f"{n(lambda r: c[r['commit']]['class'] == 'borderline' and any(x.startswith(h['control'] + ' ') for x in r['failing'] + r['warned']))}/{n(lambda r: c[r['commit']]['class'] == 'borderline')}",
        "landed regression blamed again": f"{n(lambda r: stale(r))}/{n(lambda r: stale_candidate(r))}",
        "wrong exit codes": f"{n(lambda r: r['outcome'] == 'WRONG')}/{len(rows)}",
        "cells ok": f"{n(lambda r: r['outcome'] == 'ok')}/{len(rows)}",
    }


def replay(args):
    h = load_history()
    fixtures = os.path.abspath(args.fixtures)
    budget = os.path.abspath(args.budget)
    perfgate = os.path.abspath(args.perfgate) if os.sep in args.perfgate else shutil.which(args.perfgate)
    if not perfgate or not os.access(perfgate, os.X_OK):
        raise SystemExit(f"replay: no perfgate binary at {args.perfgate}")
    if not os.path.isdir(fixtures):
        raise SystemExit(f"replay: no fixtures at {fixtures} (run `ci/replay.sh generate`)")
    check_manifest(h, fixtures)
    flavours = args.flavour or list(FLAVOURS)
    for fl in flavours:
        if fl not in FLAVOURS:
            raise SystemExit(f"replay: unknown flavour {fl!r} (known: {', '.join(FLAVOURS)})")
    v = subprocess.run([perfgate, "budgets", "validate", budget], capture_output=True, text=True)
    if v.returncode != 0:
        raise SystemExit(f"replay: {budget} does not validate (exit {v.returncode}):\n{v.stdout}{v.stderr}")

    work = os.path.abspath(args.keep) if args.keep else tempfile.mkdtemp(prefix="perfgate-replay.")
    if args.keep:
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
    rows_by = {}
    t0 = time.monotonic()
    try:
        for fl in flavours:
            log(f"{fl}: replaying {len(h['ciOrder'])} commits")
            rows_by[fl] = replay_flavour(fl, h, fixtures, budget, perfgate, os.path.join(work, fl))
    finally:
        if args.keep:
            log(f"kept {work} (per flavour: repo/ with its store, out/<commit>.json|.md|.out|.err)")
        else:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - t0
    rows = [r for fl in flavours for r in rows_by[fl]]

    print(f"perfgate replay: {len(h['ciOrder'])} commits x {len(flavours)} flavours, budget "
          f"{os.path.relpath(budget, ROOT) if budget.startswith(ROOT) else budget}, {elapsed:.1f}s")
    print()
    print_table(h, flavours, rows_by)
    bad = [r for r in rows if r["outcome"] != "ok"]
    if bad:
        print("\nnot ok:")
        for r in bad:
            print(f"  {r['flavour']} {r['commit']} ({r['class']}, expect {r['expected']}): {r['outcome']}: {r['detail']}")
            if r["outcome"] == "WRONG" and r["stderr"].strip():
                for line in r["stderr"].strip().splitlines()[-8:]:
                    print(f"      stderr: {line}")
    print("\ntotals" + " " * 30 + "".join(f"{fl:>13}" for fl in flavours) + f"{'all':>10}")
    per = {fl: totals(h, rows_by[fl]) for fl in flavours}
    overall = totals(h, rows)
    for key in overall:
        print(f"  {key:<34}" + "".join(f"{per[fl][key]:>13}" for fl in flavours) + f"{overall[key]:>10}")

    if args.tsv:
        with open(args.tsv, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, delimiter="\t", lineterminator="\n")
            w.writerow(["flavour", "commit", "class", "expected", "exit", "failing", "warned", "outcome", "detail"])
            for r in rows:
                w.writerow([r["flavour"], r["commit"], r["class"], r["expected"], r["exit"],
                            ";".join(r["failing"]), ";".join(r["warned"]), r["outcome"],
                            r["detail"].replace("\t", " ").replace("\n", " ")])
    if bad and not args.no_fail:
        return 1
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd")
    g = sub.add_parser("generate", help="run the real k6 and Locust per commit and write the fixtures")
    g.add_argument("--out", default=DEFAULT_FIXTURES)
    g.add_argument("--only", help="comma-separated commit ids to (re)generate")
    g.add_argument("--k6", help="the k6 binary (default $K6, then PATH)")
    g.add_argument("--keep-work", action="store_true", help="keep the tools' temporary output")
    m = sub.add_parser("medians", help="print the per-commit p50/p95 table of the fixtures")
    m.add_argument("--fixtures", default=DEFAULT_FIXTURES)
    mf = sub.add_parser("manifest", help="refresh the fixtures' manifest.json from ci/replay/history.json")
    mf.add_argument("--fixtures", default=DEFAULT_FIXTURES)
    r = sub.add_parser("replay", help="replay the history through perfgate check (default)")
    for p in (ap, r):
        p.add_argument("--perfgate", default=os.environ.get("PERFGATE_BIN", "perfgate"))
        p.add_argument("--budget", default=DEFAULT_BUDGET)
        p.add_argument("--flavour", action="append", choices=list(FLAVOURS))
        p.add_argument("--fixtures", default=DEFAULT_FIXTURES)
        p.add_argument("--tsv", help="write one row per (flavour, commit) here")
        p.add_argument("--keep", help="keep the work directory (repositories, stores, outputs) here")
        p.add_argument("--no-fail", action="store_true", help="exit 0 even when some cell is not ok")
    args = ap.parse_args()
    if args.cmd == "generate":
        return generate(args) or 0
    if args.cmd == "manifest":
        write_manifest(load_history(), os.path.abspath(args.fixtures))
        return 0
    if args.cmd == "medians":
        print_medians(load_history(), os.path.abspath(args.fixtures))
        return 0
    return replay(args)


if __name__ == "__main__":
    sys.exit(main())
