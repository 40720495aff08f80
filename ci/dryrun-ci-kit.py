#!/usr/bin/env python3
"""Dry-runs the shell steps of the GitHub composite action and of the GitLab template locally.

    python3 ci/dryrun-ci-kit.py PERFGATE_BINARY

GitHub: every step of ci/github-action/action.yml runs in order as the runner would run it: its
`if:` and `${{ }}` expressions are evaluated (a small evaluator for the expression syntax the
action uses), `run:` blocks run with `bash --noprofile --norc -eo pipefail`, GITHUB_OUTPUT /
GITHUB_PATH / GITHUB_STEP_SUMMARY are real files, `uses:` steps are recorded and skipped (cache
restore = miss), and `gh` is a stub on PATH that keeps comments in a directory and records every
call. The scenario, in a throwaway git repository with a bare `origin`:
  1. push to main (commit A), perfgate installed by install.sh from a fake release on 127.0.0.1
     (PERFGATE_DOWNLOAD_URL), history: branch -> exit 0, history branch created, report built;
     then the same without a release binary: the action falls back to a source build (`swift` is
     a stub that leaves the binary where --show-bin-path points);
  2. pull request #7 (commit B on `feature`, a strict budget) -> exit 2, the history is read from
     the branch (baseline = A) and not pushed, one comment with the marker and the FAIL verdict;
  3. the same pull request again -> the same comment is edited in place (still one comment);
  4. ci/history-branch.sh race: two writers from the same branch commit; the second push is
     rejected, merges the first one's runs (export/import) and lands with both.
GitLab: the `.perfgate` job's before_script and script run with a fake CI_* environment: the
install step against a fake release (PERFGATE_DOWNLOAD_URL), a merge-request pipeline posts the
note through a curl stub (created, then updated), and the job exits with perfgate's code; then a
default-branch pipeline with PERFGATE_HISTORY=branch pushes the history branch.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests/PerfgateIngestTests/Fixtures/generated")
failures = []


def check(cond, what):
    print(("  ok: " if cond else "  FAIL: ") + what)
    if not cond:
        failures.append(what)


# ---------------------------------------------------------------- GitHub expressions
TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|<=|>=|&&|\|\||[<>!(),])|(?P<id>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z_*][A-Za-z0-9_\-]*)*))")


class Expr:
    def __init__(self, text, ctx):
        self.toks, pos = [], 0
        text = text.strip()
        while pos < len(text):
            m = TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise ValueError(f"cannot parse expression at {text[pos:]!r}")
            pos = m.end()
            kind = m.lastgroup
            self.toks.append((kind, m.group(kind)))
        self.i, self.ctx = 0, ctx

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self):
        t = self.peek()
        self.i += 1
        return t

    def parse(self):
        v = self.orx()
        if self.i != len(self.toks):
            raise ValueError(f"trailing tokens {self.toks[self.i:]}")
        return v

    def orx(self):
        v = self.andx()
        while self.peek() == ("op", "||"):
            self.take()
            r = self.andx()
            v = v if truthy(v) else r
        return v

    def andx(self):
        v = self.cmp()
        while self.peek() == ("op", "&&"):
            self.take()
            r = self.cmp()
            v = r if truthy(v) else v
        return v

    def cmp(self):
        v = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("==", "!=", "<", "<=", ">", ">="):
            op = self.take()[1]
            r = self.unary()
            v = compare(v, op, r)
        return v

    def unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.atom()

    def atom(self):
        kind, val = self.take()
        if kind == "str":
            return val[1:-1].replace("''", "'")
        if kind == "num":
            return float(val)
        if kind == "op" and val == "(":
            v = self.orx()
            assert self.take() == ("op", ")")
            return v
        if kind == "id":
            if val in ("true", "false"):
                return val == "true"
            if val == "null":
                return None
            if self.peek() == ("op", "("):
                self.take()
                args = []
                while self.peek() != ("op", ")"):
                    args.append(self.orx())
                    if self.peek() == ("op", ","):
                        self.take()
                self.take()
                return self.call(val, args)
            v = self.ctx
            for part in val.split("."):
                v = v.get(part) if isinstance(v, dict) else None
            return v
        raise ValueError(f"unexpected token {val!r}")

    def call(self, name, args):
        status = self.ctx["__status"]
        if name == "always":
            return True
        if name == "success":
            return status == "success"
        if name == "failure":
            return status == "failure"
        if name == "cancelled":
            return False
        if name == "contains":
            return tostr(args[1]).lower() in tostr(args[0]).lower()
        if name == "startsWith":
            return tostr(args[0]).lower().startswith(tostr(args[1]).lower())
        raise ValueError(f"unknown function {name}")


def truthy(v):
    return not (v is None or v is False or v == "" or v == 0)


def tostr(v):
    if v is None:
        return ""
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v == int(v) else str(v)
    return str(v)


def tonum(v):
    if v is None or v == "":
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    try:
        return float(v)
    except ValueError:
        return float("nan")


def compare(a, op, b):
    if isinstance(a, str) and isinstance(b, str):
        a, b = a.lower(), b.lower()
    elif type(a) is not type(b):
        a, b = tonum(a), tonum(b)
    return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def evaluate(text, ctx):
    return Expr(text, ctx).parse()


def interpolate(text, ctx):
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: tostr(evaluate(m.group(1), ctx)), str(text))


def condition(text, ctx):
    if text is None:
        return ctx["__status"] == "success"
    text = str(text).strip()
    m = re.fullmatch(r"\$\{\{(.*)\}\}", text, re.S)
    if m:
        text = m.group(1)
    if not re.search(r"\b(always|success|failure|cancelled)\(", text):
        text = f"success() && ({text})"
    return truthy(evaluate(text, ctx))


def read_outputs(path):
    out, lines, i = {}, open(path).read().splitlines(), 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^([^=<]+)<<(.+)$", line)
        if m:
            name, delim, buf = m.group(1), m.group(2), []
            i += 1
            while lines[i] != delim:
                buf.append(lines[i])
                i += 1
            out[name] = "\n".join(buf)
        elif "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
        i += 1
    return out


# ---------------------------------------------------------------- running the composite action
def run_action(action, inputs, github, env, work, log):
    """Runs the composite action's steps; returns (step results, step outputs)."""
    given = dict(inputs)
    ins = {}
    ctx = {"github": github, "runner": {"temp": env["RUNNER_TEMP"], "os": "Linux", "arch": "X64"}, "steps": {},
           "env": {}, "__status": "success"}
    for name, spec in action["inputs"].items():
        default = spec.get("default", "")
        ins[name] = given.pop(name) if name in given else interpolate(default, ctx)
    assert not given, f"unknown inputs {given}"
    ctx["inputs"] = ins
    path_extra, results = [], []
    for n, step in enumerate(action["runs"]["steps"]):
        name = step.get("name", step.get("id", f"step {n}"))
        if not condition(step.get("if"), ctx):
            results.append((name, "skipped"))
            continue
        sid = step.get("id")
        if "uses" in step:
            with_ = {k: interpolate(v, ctx) for k, v in (step.get("with") or {}).items()}
            log.write(f"uses {step['uses']} {json.dumps(with_)}\n")
            outputs = {"cache-hit": "false"} if step["uses"].startswith("actions/cache") else {}
            if sid:
                ctx["steps"][sid] = {"outputs": outputs, "outcome": "success"}
            results.append((name, "uses"))
            continue
        step_env = dict(env)
        step_env["PATH"] = ":".join(path_extra + [env["PATH"]])
        for k, v in (step.get("env") or {}).items():
            step_env[k] = interpolate(v, ctx)
        files = {k: os.path.join(work, f"{k.lower()}.{n}") for k in ("GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_ENV")}
        for k, f in files.items():
            open(f, "w").close()
            step_env[k] = f
        script = os.path.join(work, f"step{n}.sh")
        with open(script, "w") as f:
            f.write(interpolate(step["run"], ctx))
        assert step.get("shell") == "bash", f"{name}: only shell: bash is simulated"
        p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script], env=step_env, cwd=env["GITHUB_WORKSPACE"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        log.write(f"---- {name} (exit {p.returncode})\n{p.stdout}\n")
        outputs = read_outputs(files["GITHUB_OUTPUT"])
        path_extra = [l for l in open(files["GITHUB_PATH"]).read().splitlines() if l] + path_extra
        for k, v in read_outputs(files["GITHUB_ENV"]).items():
            env[k] = v
        if sid:
            ctx["steps"][sid] = {"outputs": outputs, "outcome": "success" if p.returncode == 0 else "failure"}
        if p.returncode != 0:
            ctx["__status"] = "failure"
        results.append((name, p.returncode))
    return results, ctx["steps"]


GH_STUB = r"""#!/usr/bin/env bash
# gh stub: records the call; keeps comments as files in $GH_STUB_DIR/comments/<id>.
set -euo pipefail
d="$GH_STUB_DIR"; mkdir -p "$d/comments"
printf '%s\n' "gh $*" >> "$d/calls"
[ "$1" = api ] || exit 0; shift
method=GET; endpoint=""; body=""; jq=""
while [ $# -gt 0 ]; do
  case "$1" in
    --method|-X) method="$2"; shift 2 ;;
    -F|--field|-f|--raw-field) case "$2" in body=@*) body="${2#body=@}" ;; esac; shift 2 ;;
    --jq|-q) jq="$2"; shift 2 ;;
    --paginate) shift ;;
    *) endpoint="$1"; shift ;;
  esac
done
[ "${GH_TOKEN:-}" = fake-token ] || { echo "gh stub: no GH_TOKEN" >&2; exit 4; }
case "$method $endpoint" in
  "GET repos/"*"/issues/"*"/comments")
    marker="$(printf '%s' "$jq" | sed -n 's/.*startswith("\([^"]*\)").*/\1/p')"
    for f in $(ls "$d/comments" | sort -n); do
      head -n 1 "$d/comments/$f" | grep -qF -- "$marker" && echo "$f"
    done; exit 0 ;;
  "POST repos/"*"/issues/"*"/comments")
    id=$(( $(ls "$d/comments" | wc -l) + 100 )); cp "$body" "$d/comments/$id"; echo "POST $id" >> "$d/writes"
    echo "https://github.com/acme/shop/pull/7#issuecomment-$id" ;;
  "PATCH repos/"*"/issues/comments/"*)
    id="${endpoint##*/}"; [ -f "$d/comments/$id" ] || exit 1; cp "$body" "$d/comments/$id"; echo "PATCH $id" >> "$d/writes"
    echo "https://github.com/acme/shop/pull/7#issuecomment-$id" ;;
  *) echo "gh stub: unexpected $method $endpoint" >&2; exit 1 ;;
esac
"""


def git(repo, *args, env=None):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True, env=env).stdout.strip()


def github_dryrun(perfgate, tmp, release_url):
    print("== GitHub action (ci/github-action/action.yml) ==")
    action = yaml.safe_load(open(os.path.join(ROOT, "ci/github-action/action.yml")))
    origin, ws = os.path.join(tmp, "origin.git"), os.path.join(tmp, "ws")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", origin], check=True)
    subprocess.run(["git", "clone", "-q", origin, ws], check=True, capture_output=True)
    ident = ["-c", "user.name=dev", "-c", "user.email=dev@example.com"]
    git(ws, "checkout", "-q", "-b", "main")
    os.makedirs(os.path.join(ws, "results"))
    shutil.copy(os.path.join(FIXTURES, "k6/summary-export.json"), os.path.join(ws, "results/k6.json"))
    shutil.copy(os.path.join(FIXTURES, "locust/run_stats.csv"), os.path.join(ws, "results/locust_stats.csv"))
    json.dump({"version": 1, "budgets": [{"endpoint": "*/api/*", "max": {"p95": "500ms"}}, {"regression": {"p50": "15%"}}]},
              open(os.path.join(ws, "budgets.json"), "w"))
    # The strict budget of the pull request: orders' p95 (56-66 ms in the fixtures) over 40 ms fails.
    json.dump({"version": 1, "budgets": [{"endpoint": "*/api/orders", "max": {"p95": "40ms"}}, {"regression": {"p50": "15%"}}]},
              open(os.path.join(ws, "strict.json"), "w"))
    with open(os.path.join(ws, ".gitignore"), "w") as f:
        f.write(".perfgate/\nperf.xml\n")
    git(ws, "add", "-A")
    git(ws, *ident, "commit", "-q", "-m", "A")
    git(ws, "push", "-q", "origin", "main")
    sha_a = git(ws, "rev-parse", "HEAD")

    stub = os.path.join(tmp, "stubs")
    os.makedirs(stub)
    with open(os.path.join(stub, "gh"), "w") as f:
        f.write(GH_STUB)
    os.chmod(os.path.join(stub, "gh"), 0o755)
    ghdir = os.path.join(tmp, "gh")
    os.makedirs(os.path.join(ghdir, "comments"))
    with open(os.path.join(ghdir, "comments", "5"), "w") as f:
        f.write("Looks good to me!\n")  # someone else's comment: never touched

    def run(n, event, sha, ref_name, head_ref, inputs, extra_env=None):
        rt = os.path.join(tmp, f"runner{n}")
        os.makedirs(rt)
        summary = os.path.join(rt, "step_summary.md")
        open(summary, "w").close()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PERFGATE_", "CI_", "GITLAB"))}
        env.update({
            "PATH": f"{stub}:{os.environ['PATH']}", "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/shop",
            "GITHUB_SHA": sha, "GITHUB_REF_NAME": ref_name, "GITHUB_HEAD_REF": head_ref, "GITHUB_BASE_REF": "main" if head_ref else "",
            "GITHUB_EVENT_NAME": event, "GITHUB_RUN_ID": str(1000 + n), "GITHUB_RUN_ATTEMPT": "1", "GITHUB_WORKSPACE": ws,
            "GITHUB_STEP_SUMMARY": summary, "RUNNER_TEMP": rt, "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64", "GH_STUB_DIR": ghdir,
            "GIT_AUTHOR_NAME": "ci", "GIT_AUTHOR_EMAIL": "ci@example.com", "GIT_COMMITTER_NAME": "ci", "GIT_COMMITTER_EMAIL": "ci@example.com",
            "PERFGATE_DOWNLOAD_URL": release_url,  # install.sh reads the fake release instead of GitHub's
        })
        env.update(extra_env or {})
        github = {"event_name": event, "ref_name": ref_name, "head_ref": head_ref, "sha": sha, "repository": "acme/shop",
                  "server_url": "https://github.com", "run_id": str(1000 + n), "token": "fake-token",
                  "action_path": os.path.join(ROOT, "ci/github-action"), "action_repository": "", "action_ref": "",
                  "event": {"pull_request": {"number": 7, "head": {"sha": sha}}} if event == "pull_request" else {}}
        log = open(os.path.join(tmp, f"run{n}.log"), "w")
        results, steps = run_action(action, inputs, github, env, rt, log)
        log.close()
        return results, steps, open(summary).read(), rt

    base_inputs = {"perfgate-binary": perfgate, "results": "results/", "history": "branch", "environment": "dryrun"}

    # 1. push to main, perfgate installed by the action from the (fake) release
    first = {k: v for k, v in base_inputs.items() if k != "perfgate-binary"}
    results, steps, summary, rt = run(1, "push", sha_a, "main", "", first)
    check(steps["install"]["outputs"].get("installed") == "release", "the action installed the release binary through install.sh (no Swift build)")
    check("checksum ok" in open(os.path.join(tmp, "run1.log")).read(), "install.sh verified its SHA-256")
    print(f"  run 1 (push to main {sha_a[:8]}): " + ", ".join(f"{n}={r}" for n, r in results))
    check(steps["check"]["outputs"].get("exit-code") == "0", "push to main: perfgate check exits 0, exit-code output written")
    check(steps["check"]["outputs"].get("verdict", "").startswith("PASS"), f"verdict output: {steps['check']['outputs'].get('verdict')!r}")
    check("perfgate: PASS" in summary, "the verdict table is in GITHUB_STEP_SUMMARY")
    check(steps["path"]["outputs"].get("version", "") != "", f"perfgate-version output {steps['path']['outputs'].get('version')!r}")
    hist = subprocess.run(["git", "-C", origin, "rev-parse", "--verify", "-q", "refs/heads/perfgate-history"], capture_output=True, text=True).stdout.strip()
    check(hist != "", "history: branch pushed the perfgate-history branch to origin")
    files = git(origin, "ls-tree", "--name-only", "perfgate-history").split() if hist else []
    check(files == ["README.md", "history.sqlite"], f"the branch holds README.md and history.sqlite ({files})")
    report = steps.get("report", {}).get("outputs", {}).get("dir", "")
    check(report != "" and os.path.isfile(os.path.join(report, "index.html")), "perfgate report --budget built the site")
    if report:
        index = open(os.path.join(report, "index.html")).read()
        check("No verdict" not in index, "the report's index has a verdict (not 'No verdict')")
    check(dict(results).get("Pull-request comment") == "skipped", "no comment on a push")
    check(not os.path.exists(os.path.join(ghdir, "writes")), "gh was not asked to write")

    # 1b. no release binary for this version (an unreleased ref): the action warns and builds from its
    # own source; `swift` is a stub that leaves the binary where `--show-bin-path` says.
    swift_stub = os.path.join(tmp, "swift-stub")
    os.makedirs(os.path.join(swift_stub, "bin"))
    with open(os.path.join(swift_stub, "swift"), "w") as f:
        f.write(f"""#!/bin/sh
echo "swift $*" >> {swift_stub}/calls
case " $* " in *" --show-bin-path "*) echo {swift_stub}/bin; exit 0 ;; esac
cp {perfgate} {swift_stub}/bin/perfgate
""")
    os.chmod(os.path.join(swift_stub, "swift"), 0o755)
    results, steps, summary, rt = run(0, "push", sha_a, "main", "", dict(first, history="none", report="false"),
                                      {"PERFGATE_DOWNLOAD_URL": release_url + "/nothing-here", "PATH": f"{swift_stub}:{stub}:{os.environ['PATH']}"})
    log0 = open(os.path.join(tmp, "run0.log")).read()
    check(steps["install"]["outputs"].get("installed") == "false" and "no release binary of perfgate" in log0,
          "no release binary: the install step warns and hands over to the source build")
    calls = open(os.path.join(swift_stub, "calls")).read() if os.path.exists(os.path.join(swift_stub, "calls")) else ""
    check(f"build -c release --product perfgate --static-swift-stdlib --package-path {ROOT}" in calls,
          "the fallback builds the action's own source with swift build -c release --static-swift-stdlib")
    check(steps["check"]["outputs"].get("exit-code") == "0", "and the check runs with the binary built from source")
    shutil.rmtree(os.path.join(ws, ".perfgate"), ignore_errors=True)

    # 2. pull request, failing budget
    git(ws, "checkout", "-q", "-b", "feature")
    with open(os.path.join(ws, "change.txt"), "w") as f:
        f.write("B\n")
    git(ws, "add", "-A")
    git(ws, *ident, "commit", "-q", "-m", "B")
    sha_b = git(ws, "rev-parse", "HEAD")
    shutil.rmtree(os.path.join(ws, ".perfgate"), ignore_errors=True)  # a fresh runner: the history comes from the branch
    pr_inputs = dict(base_inputs, budget="strict.json", commit=sha_b)
    results, steps, summary, rt = run(2, "pull_request", "f" * 40, "7/merge", "feature", pr_inputs)
    print(f"  run 2 (pull request #7, {sha_b[:8]}): " + ", ".join(f"{n}={r}" for n, r in results))
    out = steps["check"]["outputs"]
    check(out.get("exit-code") == "2", f"pull request with the strict budget: exit-code 2 (got {out.get('exit-code')})")
    check(out.get("verdict", "").startswith("FAIL"), f"verdict output {out.get('verdict')!r}")
    check(dict(results).get("Verdict") == 2, "the Verdict step fails the job with exit 2")
    check(f"main @ {sha_a[:8]} (merge-base)" in summary, "the baseline is main's commit A at the merge-base, read from the history branch")
    hist2 = git(origin, "rev-parse", "refs/heads/perfgate-history")
    check(hist2 == hist, "a pull request does not push the history branch")
    writes = open(os.path.join(ghdir, "writes")).read().split("\n") if os.path.exists(os.path.join(ghdir, "writes")) else []
    check(writes[:1] == ["POST 101"], f"one comment created (gh api POST): {writes}")
    body = open(os.path.join(ghdir, "comments", "101")).read() if os.path.exists(os.path.join(ghdir, "comments", "101")) else ""
    check(body.startswith("<!-- perfgate -->\n"), "the comment starts with the marker <!-- perfgate -->")
    check("perfgate: FAIL" in body and "/api/orders" in body, "the comment carries the FAIL verdict and the failing series")
    check("actions/runs/1002" in body and "perf-report" in body, "the comment links the run and names the report artifact")
    check(steps["comment"]["outputs"].get("url", "").endswith("issuecomment-101"), "comment-url output written")
    calls = open(os.path.join(ghdir, "calls")).read()
    check("repos/acme/shop/issues/7/comments" in calls, "gh api was called for pull request 7 of GITHUB_REPOSITORY")

    # 3. the same pull request again: the comment is edited in place
    shutil.rmtree(os.path.join(ws, ".perfgate"), ignore_errors=True)
    results, steps, summary, rt = run(3, "pull_request", "e" * 40, "7/merge", "feature", pr_inputs)
    writes = open(os.path.join(ghdir, "writes")).read().split()
    check(writes[-2:] == ["PATCH", "101"], f"second run: the same comment is updated (gh api PATCH 101): {writes}")
    check(sorted(os.listdir(os.path.join(ghdir, "comments"))) == ["101", "5"], "still one perfgate comment; the other comment untouched")
    check(open(os.path.join(ghdir, "comments", "5")).read() == "Looks good to me!\n", "the other comment's body is unchanged")

    # 4. the history branch under concurrency
    print("  history branch race (ci/history-branch.sh)")
    hb = os.path.join(ROOT, "ci/history-branch.sh")
    clones = []
    for name in ("job1", "job2"):
        c = os.path.join(tmp, name)
        subprocess.run(["git", "clone", "-q", origin, c], check=True, capture_output=True)
        clones.append(c)
    henv = dict(os.environ, PERFGATE=perfgate, PERFGATE_STORE=".perfgate/history.sqlite")
    for k in [k for k in henv if k.startswith(("GITHUB_", "CI_"))]:
        del henv[k]
    for c in clones:
        subprocess.run(["bash", hb, "fetch"], cwd=c, env=henv, check=True, capture_output=True)
    for i, c in enumerate(clones):
        subprocess.run([perfgate, "ingest", "--store", ".perfgate/history.sqlite", "--commit", f"{i + 1}" * 40, "--branch", "main",
                        "--environment", f"race{i}", os.path.join(FIXTURES, "k6/summary-export.json")], cwd=c, env=henv, check=True, capture_output=True)
    p1 = subprocess.run(["bash", hb, "push"], cwd=clones[0], env=henv, capture_output=True, text=True)
    p2 = subprocess.run(["bash", hb, "push"], cwd=clones[1], env=dict(henv, PERFGATE_HISTORY_RETRIES="3"), capture_output=True, text=True)
    check(p1.returncode == 0 and p2.returncode == 0, f"both concurrent pushes land (exit {p1.returncode}, {p2.returncode})")
    check("push rejected" in p2.stderr and "imported" in p2.stderr, "the second push was rejected, imported the first one's runs and retried")
    final = os.path.join(tmp, "final.sqlite")
    with open(final, "wb") as f:
        f.write(subprocess.run(["git", "-C", origin, "show", "perfgate-history:history.sqlite"], check=True, capture_output=True).stdout)
    envs = subprocess.run([perfgate, "query", "--store", final, "--format", "csv", "SELECT DISTINCT environment FROM runs ORDER BY 1"],
                          capture_output=True, text=True).stdout.split()
    check("race0" in envs and "race1" in envs and "dryrun" in envs, f"the branch's store has both writers' runs and the earlier ones ({envs})")
    count = git(origin, "rev-list", "--count", "perfgate-history")
    check(count == "1", "the history branch stays one commit")
    if failures:
        for n in (1, 2, 3):
            print(f"  (log of run {n}: {os.path.join(tmp, f'run{n}.log')})")


# ---------------------------------------------------------------- GitLab
CURL_STUB = r"""#!/usr/bin/env bash
# curl stub for the GitLab API (notes); any other URL goes to the real curl.
set -euo pipefail
d="$CURL_STUB_DIR"; mkdir -p "$d/notes"
url=""; method=GET; data=""; out=""; token=""
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --request|-X) method="$2"; shift 2 ;;
    --data|--data-binary|-d) data="$2"; shift 2 ;;
    --output|-o) out="$2"; shift 2 ;;
    --header|-H) case "$2" in PRIVATE-TOKEN:*) token="${2#PRIVATE-TOKEN: }" ;; esac; shift 2 ;;
    http*) url="$1"; shift ;;
    *) shift ;;
  esac
done
case "$url" in
  "$CI_API_V4_URL"/projects/*/merge_requests/*/notes*) ;;
  *) exec "$REAL_CURL" "${args[@]}" ;;
esac
printf '%s %s\n' "$method" "$url" >> "$d/calls"
[ "$token" = fake-gitlab-token ] || { echo '{"message":"401 Unauthorized"}'; exit 22; }
body() { if [ "${data#@}" != "$data" ]; then cat "${data#@}"; else printf '%s' "$data"; fi; }
case "$method" in
  GET)
    python3 - "$d/notes" <<'PY'
import json, os, sys
d = sys.argv[1]
print(json.dumps([{"id": int(n), "body": json.load(open(os.path.join(d, n)))["body"]} for n in sorted(os.listdir(d))]))
PY
    ;;
  POST) id=$(( $(ls "$d/notes" | wc -l) + 200 )); body > "$d/notes/$id"; echo "POST $id" >> "$d/writes"; echo "{\"id\": $id}" ;;
  PUT) id="${url##*/notes/}"; id="${id%%\?*}"; body > "$d/notes/$id"; echo "PUT $id" >> "$d/writes"; echo "{\"id\": $id}" ;;
esac
"""


def gitlab_dryrun(perfgate, tmp, release_url, version):
    print("== GitLab template (ci/gitlab/perfgate.gitlab-ci.yml) ==")
    tpl = yaml.safe_load(open(os.path.join(ROOT, "ci/gitlab/perfgate.gitlab-ci.yml")))
    job = tpl[".perfgate"]
    origin, ws = os.path.join(tmp, "gl-origin.git"), os.path.join(tmp, "gl-ws")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", origin], check=True)
    subprocess.run(["git", "clone", "-q", origin, ws], check=True, capture_output=True)
    ident = ["-c", "user.name=dev", "-c", "user.email=dev@example.com"]
    git(ws, "checkout", "-q", "-b", "main")
    os.makedirs(os.path.join(ws, "results"))
    shutil.copy(os.path.join(FIXTURES, "k6/summary-export.json"), os.path.join(ws, "results/k6.json"))
    json.dump({"version": 1, "budgets": [{"endpoint": "*/api/orders", "max": {"p95": "40ms"}}]}, open(os.path.join(ws, "budgets.json"), "w"))
    git(ws, "add", "-A")
    git(ws, *ident, "commit", "-q", "-m", "A")
    git(ws, "push", "-q", "origin", "main")
    git(ws, "checkout", "-q", "-b", "feature")
    git(ws, *ident, "commit", "-q", "--allow-empty", "-m", "B")
    sha = git(ws, "rev-parse", "HEAD")
    stub = os.path.join(tmp, "gl-stubs")
    os.makedirs(stub)
    with open(os.path.join(stub, "curl"), "w") as f:
        f.write(CURL_STUB)
    os.chmod(os.path.join(stub, "curl"), 0o755)
    # The template fetches install.sh from PERFGATE_KIT_URL (raw.githubusercontent.com): here, this checkout.
    variables = {k: str(v) for k, v in job["variables"].items()}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PERFGATE_", "CI_", "GITLAB"))}
    env.update(variables)
    env.update({
        "PATH": f"{stub}:{os.environ['PATH']}", "REAL_CURL": shutil.which("curl") or "/usr/bin/curl", "CURL_STUB_DIR": os.path.join(tmp, "gl-curl"),
        "GITLAB_CI": "true", "CI": "true", "CI_PROJECT_DIR": ws, "CI_PROJECT_ID": "42", "CI_API_V4_URL": "https://gitlab.example.com/api/v4",
        "CI_COMMIT_SHA": sha, "CI_COMMIT_REF_NAME": "feature", "CI_COMMIT_REF_SLUG": "feature", "CI_DEFAULT_BRANCH": "main",
        "CI_MERGE_REQUEST_IID": "9", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature", "CI_PIPELINE_URL": "https://gitlab.example.com/acme/shop/-/pipelines/77",
        "CI_JOB_NAME": "perf-gate", "CI_JOB_TOKEN": "job-token", "CI_JOB_URL": "https://gitlab.example.com/acme/shop/-/jobs/5",
        "PERFGATE_BASE": "main", "PERFGATE_GITLAB_TOKEN": "fake-gitlab-token", "PERFGATE_ENVIRONMENT": "dryrun",
        "PERFGATE_DOWNLOAD_URL": release_url, "PERFGATE_KIT_URL": ROOT,
        "PERFGATE_VERSION": version, "PERFGATE_HISTORY": "cache",
    })
    for k, v in list(env.items()):
        if k in variables:  # GitLab expands $VARS in variables
            env[k] = re.sub(r"\$\{?([A-Z_][A-Z0-9_]*)\}?", lambda m: env.get(m.group(1), ""), v)
    script = "\n".join(job["before_script"] + job["script"])
    for n in (1, 2):
        p = subprocess.run(["bash", "-c", script], cwd=ws, env=env, capture_output=True, text=True)
        with open(os.path.join(tmp, f"gitlab{n}.log"), "w") as f:
            f.write(p.stdout + p.stderr)
        check(p.returncode == 2, f"GitLab run {n}: the job exits with perfgate's code 2 (got {p.returncode}; log {tmp}/gitlab{n}.log)")
    check(os.path.isfile(os.path.join(ws, ".perfgate-bin", "perfgate")), "install.sh installed the release binary into .perfgate-bin/ (checksum verified)")
    log1 = open(os.path.join(tmp, "gitlab1.log")).read()
    check("checksum ok" in log1, "the install verified the SHA-256")
    check(os.path.isfile(os.path.join(ws, "perf-report", "index.html")), "perfgate report built perf-report/")
    index = open(os.path.join(ws, "perf-report", "index.html")).read() if os.path.isfile(os.path.join(ws, "perf-report", "index.html")) else ""
    check("No verdict" not in index, "the report's index has a verdict (--budget)")
    d = os.path.join(tmp, "gl-curl")
    writes = open(os.path.join(d, "writes")).read().split("\n") if os.path.exists(os.path.join(d, "writes")) else []
    check(writes[:2] == ["POST 200", "PUT 200"], f"merge-request note created, then updated in place: {writes}")
    note = json.load(open(os.path.join(d, "notes", "200")))["body"] if os.path.exists(os.path.join(d, "notes", "200")) else ""
    check(note.startswith("<!-- perfgate -->") and "perfgate: FAIL" in note, "the note carries the marker and the FAIL verdict")
    calls = open(os.path.join(d, "calls")).read() if os.path.exists(os.path.join(d, "calls")) else ""
    check("/projects/42/merge_requests/9/notes" in calls, "notes API of merge request !9 of project 42")

    # A default-branch pipeline with PERFGATE_HISTORY=branch: reads, gates, pushes the history branch
    # (to the local origin: without PERFGATE_GITLAB_TOKEN the template leaves the push URL alone).
    git(ws, "checkout", "-q", "main")
    shutil.rmtree(os.path.join(ws, ".perfgate"), ignore_errors=True)
    main_env = {k: v for k, v in env.items() if k not in ("CI_MERGE_REQUEST_IID", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "PERFGATE_GITLAB_TOKEN")}
    main_env.update({"CI_COMMIT_SHA": git(ws, "rev-parse", "HEAD"), "CI_COMMIT_BRANCH": "main", "CI_COMMIT_REF_NAME": "main",
                     "CI_COMMIT_REF_SLUG": "main", "PERFGATE_HISTORY": "branch"})
    p = subprocess.run(["bash", "-c", script], cwd=ws, env=main_env, capture_output=True, text=True)
    with open(os.path.join(tmp, "gitlab3.log"), "w") as f:
        f.write(p.stdout + p.stderr)
    check(p.returncode == 2, f"GitLab default branch, PERFGATE_HISTORY=branch: exit 2 (got {p.returncode}; log {tmp}/gitlab3.log)")
    pushed = subprocess.run(["git", "-C", origin, "rev-parse", "--verify", "-q", "refs/heads/perfgate-history"], capture_output=True, text=True).stdout.strip()
    check(pushed != "", "the default branch's job pushed the perfgate-history branch")
    check("no merge-request note" not in p.stdout + p.stderr and open(os.path.join(d, "writes")).read().count("\n") == 2,
          "no note outside a merge request pipeline")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    perfgate = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="perfgate-dryrun.")
    keep = os.environ.get("PERFGATE_DRYRUN_KEEP") == "1"
    # A fake release of the binary (the release workflow's layout) for install.sh, under the version
    # of this source: the action installs that version by default.
    src = open(os.path.join(ROOT, "Sources/PerfgateCLI/PerfgateCommand.swift")).read()
    version = re.search(r'static let current = "([^"]+)"', src).group(1)
    arch = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(os.uname().machine, os.uname().machine)
    rel = os.path.join(tmp, "release", "download", f"v{version}")
    name = f"perfgate-{version}-linux-{arch}"
    os.makedirs(os.path.join(tmp, "pack", name))
    shutil.copy(perfgate, os.path.join(tmp, "pack", name, "perfgate"))
    os.makedirs(rel)
    subprocess.run(f"tar -cf - -C {tmp}/pack {name} | gzip -1 > {rel}/{name}.tar.gz && cd {rel} && sha256sum {name}.tar.gz > SHA256SUMS",
                   shell=True, check=True)
    srv = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "--bind", "127.0.0.1", "0", "--directory", os.path.join(tmp, "release")],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        port = re.search(r"port (\d+)", srv.stdout.readline()).group(1)
        url = f"http://127.0.0.1:{port}"
        github_dryrun(perfgate, tmp, url)
        gitlab_dryrun(perfgate, tmp, url, version)
    finally:
        srv.terminate()
        srv.wait()
        if failures or keep:
            print(f"dry-run: work directory kept: {tmp}")
        else:
            shutil.rmtree(tmp)
    if failures:
        print(f"dry-run: {len(failures)} failure(s)")
        sys.exit(1)
    print("dry-run: all assertions passed")


if __name__ == "__main__":
    main()
