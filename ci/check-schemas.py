#!/usr/bin/env python3
"""Validates perfgate's example native result files against schemas/perfgate-result.schema.json.

Run from the repository root in CI (not part of `swift test`): `python3 ci/check-schemas.py`.
Needs the `jsonschema` package. Exits 1 when a file does not validate.
"""
import glob
import json
import sys

import jsonschema

SCHEMA = "schemas/perfgate-result.schema.json"
EXAMPLES = sorted(glob.glob("Tests/PerfgateIngestTests/Fixtures/native/*.json"))


def main() -> int:
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    failed = 0
    if not EXAMPLES:
        print("no example files found", file=sys.stderr)
        return 1
    for path in EXAMPLES:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        for e in errors:
            where = "/".join(str(p) for p in e.absolute_path) or "(root)"
            print(f"{path}: {where}: {e.message}", file=sys.stderr)
        failed += bool(errors)
        if not errors:
            print(f"ok  {path}")
    # A file that must not validate: an unknown key.
    bad = {"format": "perfgate", "version": 1, "tool": "t", "series": [], "scenaro": "x"}
    if validator.is_valid(bad):
        print("schema accepts an unknown top-level key", file=sys.stderr)
        failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
