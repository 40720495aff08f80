#!/usr/bin/env python3
"""Validates perfgate's example files against the JSON Schemas in schemas/.

- schemas/perfgate-result.schema.json: the native result files under Tests/PerfgateIngestTests/Fixtures/native/;
- schemas/budgets.schema.json: the budget files under ci/examples/ and the valid budget fixtures.

Run from the repository root in CI (not part of `swift test`): `python3 ci/check-schemas.py`.
Needs the `jsonschema` package. Exits 1 when a file does not validate, or when a schema accepts a
document it must reject.
"""
import glob
import json
import os
import sys

import jsonschema

CHECKS = [
    {
        "schema": "schemas/perfgate-result.schema.json",
        "examples": sorted(glob.glob("Tests/PerfgateIngestTests/Fixtures/native/*.json")),
        # Documents that must not validate: an unknown key.
        "bad": [{"format": "perfgate", "version": 1, "tool": "t", "series": [], "scenaro": "x"}],
    },
    {
        "schema": "schemas/budgets.schema.json",
        "examples": sorted(glob.glob("ci/examples/budgets*.json"))
        + ["Tests/PerfgateCoreTests/Fixtures/budgets/canonical.json"],
        "bad": [
            {"version": 1, "budgets": [{"regresion": {"p95": "10%"}}]},  # unknown key
            {"version": 1, "capacity": {"knee": "10%"}, "budgets": [{"max": {"p95": "1s"}}]},  # a knee drop needs its "-"
            {"version": 1, "capacity": {"kne": "-10%"}, "budgets": [{"max": {"p95": "1s"}}]},  # unknown key
            {"version": 1},  # neither budgets nor a capacity rule
            {"version": 2, "budgets": [{}]},  # newer version
            {"version": 1, "budgets": []},  # no budgets
            {"version": 1, "budgets": [{"max": {"p95": "200 msec"}}]},  # unknown unit
            {"version": 1, "budgets": [{"expressions": ["p(95) == 200"]}]},  # unsupported operator
            {"version": 1, "budgets": [{"significant": {"p95": "20ms"}}]},  # not a percentage
        ],
    },
]


def check(schema_path: str, examples: list, bad: list) -> int:
    if not os.path.exists(schema_path):
        print(f"skip {schema_path} (not present)")
        return 0
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    failed = 0
    if not examples:
        print(f"{schema_path}: no example files found", file=sys.stderr)
        return 1
    for path in examples:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        for e in errors:
            where = "/".join(str(p) for p in e.absolute_path) or "(root)"
            print(f"{path}: {where}: {e.message}", file=sys.stderr)
        failed += bool(errors)
        if not errors:
            print(f"ok  {path}")
    for doc in bad:
        if validator.is_valid(doc):
            print(f"{schema_path} accepts a document it must reject: {json.dumps(doc)}", file=sys.stderr)
            failed += 1
    return failed


def main() -> int:
    failed = sum(check(c["schema"], c["examples"], c["bad"]) for c in CHECKS)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
