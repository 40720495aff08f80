#!/usr/bin/env python3
"""Structure checks of the CI kit files that actionlint does not cover.

    python3 ci/check-ci-kit.py

- ci/github-action/action.yml against ci/schemas/github-action.schema.json (a minimal schema of our
  own for the keys the action uses: SchemaStore's cannot be downloaded here), plus: every input the
  steps read (`inputs.X`) is declared, every declared input is read, every `steps.ID` a step reads is
  an earlier step's id, and every output's value names a step that exists;
- ci/gitlab/perfgate.gitlab-ci.yml against ci/schemas/gitlab-ci.schema.json (same idea), plus: the
  hidden jobs exist, every $PERFGATE_* variable the scripts read is declared in `variables:` or
  documented as a CI/CD variable (PERFGATE_GITLAB_TOKEN);
- the example workflow's `uses:` of the action only passes declared inputs.
"""
import json
import os
import re
import sys

import jsonschema
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
errors = []


def load(path):
    return yaml.safe_load(open(os.path.join(ROOT, path)))


def schema(path, doc, name):
    s = json.load(open(os.path.join(ROOT, path)))
    for e in sorted(jsonschema.Draft202012Validator(s).iter_errors(doc), key=lambda e: list(e.path)):
        errors.append(f"{name}: {'/'.join(map(str, e.path)) or '(root)'}: {e.message}")


def action_checks():
    name = "ci/github-action/action.yml"
    a = load(name)
    schema("ci/schemas/github-action.schema.json", a, name)
    declared = set(a.get("inputs", {}))
    text = open(os.path.join(ROOT, name)).read()
    body = text.split("\nruns:", 1)[1]
    used = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", body))
    for i in sorted(used - declared):
        errors.append(f"{name}: a step reads inputs.{i}, which is not declared")
    for i in sorted(declared - used):
        errors.append(f"{name}: input {i} is declared but no step reads it")
    seen = set()
    for n, step in enumerate(a["runs"]["steps"]):
        blob = json.dumps(step)
        for ref in re.findall(r"steps\.([A-Za-z0-9_-]+)\.", blob):
            if ref not in seen:
                errors.append(f"{name}: step {n} ({step.get('name')}) reads steps.{ref} before (or without) a step with that id")
        if "id" in step:
            if step["id"] in seen:
                errors.append(f"{name}: duplicate step id {step['id']}")
            seen.add(step["id"])
    for o, spec in a.get("outputs", {}).items():
        for ref in re.findall(r"steps\.([A-Za-z0-9_-]+)\.", spec["value"]):
            if ref not in seen:
                errors.append(f"{name}: output {o} reads steps.{ref}, which does not exist")
    return declared


def example_checks(declared):
    for name in ("ci/github-action/example-workflow.yml", ".github/workflows/ci.yml"):
        w = load(name)
        for job in w["jobs"].values():
            for step in job.get("steps", []):
                uses = step.get("uses", "")
                if uses.endswith("ci/github-action") or "/ci/github-action@" in uses:
                    for k in (step.get("with") or {}):
                        if k not in declared:
                            errors.append(f"{name}: passes unknown input {k} to {uses}")


def gitlab_checks():
    name = "ci/gitlab/perfgate.gitlab-ci.yml"
    g = load(name)
    schema("ci/schemas/gitlab-ci.schema.json", g, name)
    for job in (".perfgate", ".perfgate-pages"):
        if job not in g:
            errors.append(f"{name}: hidden job {job} is missing")
    job = g.get(".perfgate", {})
    declared = set(job.get("variables", {}))
    scripts = "\n".join(job.get("before_script", []) + job.get("script", []))
    documented = {"PERFGATE_GITLAB_TOKEN"}  # a masked CI/CD variable, never in the file
    env_of_install = {"PERFGATE_INSTALL_DIR"}  # set inline for install.sh
    for v in sorted(set(re.findall(r"\$\{?(PERFGATE_[A-Z_]+)", scripts)) - declared - documented - env_of_install):
        errors.append(f"{name}: the scripts read ${v}, which is not declared in variables:")
    readme = open(os.path.join(ROOT, "ci/README.md")).read()
    for v in sorted(declared | documented):
        if v not in readme:
            errors.append(f"{name}: variable {v} is not documented in ci/README.md")


def main():
    declared = action_checks()
    example_checks(declared)
    gitlab_checks()
    for e in errors:
        print(f"check-ci-kit: {e}", file=sys.stderr)
    if errors:
        sys.exit(1)
    print("check-ci-kit: action.yml and the GitLab template match their schemas (ci/schemas/) and cross-checks")


if __name__ == "__main__":
    main()
