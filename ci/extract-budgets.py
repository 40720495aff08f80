#!/usr/bin/env python3
"""Extracts every budget example that the documentation shows, so ci/e2e.sh can run each one with
`perfgate check` on real k6 and Locust output (docs and test cannot drift apart).

    python3 ci/extract-budgets.py OUTDIR     # writes OUTDIR/<name>.json, prints "<name>.json<TAB><origin>" per file
    python3 ci/extract-budgets.py --list     # prints the origins only

Sources, from the repository root:
- README.md and docs/*.md: every ```json fence whose content is a budget file (a JSON object with a
  top-level "budgets" key). Other JSON fences (cost models, native results) are not budget files and
  are ignored. A fence that mentions "budgets" but is not a complete JSON object with "version" and
  "budgets" is an error unless the line before the fence (blank lines aside) is
      <!-- budget-example: skip (reason) -->
  which is also how a complete but deliberately special snippet is left out.
- ci/examples/*.json: every file with a top-level "budgets" key.

Exits 1 (naming file and line) on an unmarked partial snippet or a budget example that is not JSON.
"""
import glob
import json
import os
import re
import sys

FENCE_OPEN = re.compile(r"^\s*```json\s*$")
FENCE_CLOSE = re.compile(r"^\s*```\s*$")
SKIP = re.compile(r"<!--\s*budget-example:\s*skip\b(.*?)-->")


def markdown_examples(path):
    """Yields (line, text, skip_reason) for each ```json fence of a Markdown file."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        if FENCE_OPEN.match(lines[i]):
            start = i + 1
            j = start
            while j < len(lines) and not FENCE_CLOSE.match(lines[j]):
                j += 1
            k = i - 1
            while k >= 0 and not lines[k].strip():
                k -= 1
            m = SKIP.search(lines[k]) if k >= 0 else None
            yield start, "\n".join(lines[start:j]), (m.group(1).strip() or "no reason given") if m else None
            i = j + 1
        else:
            i += 1


def slug(path):
    return re.sub(r"[^A-Za-z0-9]+", "-", os.path.splitext(path)[0]).strip("-").lower()


def collect(root):
    """Returns ([(name, origin, document)], [error], [skipped origin])."""
    examples, errors, skipped = [], [], []
    docs = ["README.md"] + sorted(glob.glob("docs/*.md"))
    for md in docs:
        path = os.path.join(root, md)
        if not os.path.exists(path):
            continue
        n = 0
        for line, text, skip in markdown_examples(path):
            origin = f"{md}:{line}"
            if '"budgets"' not in text:
                continue  # not a budget file (cost model, native result, ...)
            if skip is not None:
                skipped.append(f"{origin} ({skip})")
                continue
            try:
                doc = json.loads(text)
            except json.JSONDecodeError as e:
                errors.append(f"{origin}: a budget snippet that is not complete JSON ({e.msg} at its line {e.lineno}); "
                              "complete it, or mark it with <!-- budget-example: skip (reason) --> before the fence")
                continue
            if not isinstance(doc, dict) or "budgets" not in doc or "version" not in doc:
                errors.append(f"{origin}: a partial budget snippet (no top-level \"version\" and \"budgets\"); "
                              "complete it, or mark it with <!-- budget-example: skip (reason) --> before the fence")
                continue
            n += 1
            examples.append((f"{slug(md)}-{n}", origin, doc))
    for path in sorted(glob.glob(os.path.join(root, "ci/examples/*.json"))):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            try:
                doc = json.load(f)
            except json.JSONDecodeError as e:
                errors.append(f"{rel}:{e.lineno}: not JSON ({e.msg})")
                continue
        if isinstance(doc, dict) and "budgets" in doc:
            examples.append((slug(rel), rel, doc))
    return examples, errors, skipped


def main(argv):
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 64
    examples, errors, skipped = collect(root)
    for e in errors:
        print(f"extract-budgets: error: {e}", file=sys.stderr)
    for s in skipped:
        print(f"extract-budgets: skipped {s}", file=sys.stderr)
    if errors:
        return 1
    if not examples:
        print("extract-budgets: error: no budget examples found", file=sys.stderr)
        return 1
    if argv[1] == "--list":
        for name, origin, _ in examples:
            print(f"{name}.json\t{origin}")
        return 0
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    for name, origin, doc in examples:
        with open(os.path.join(out, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        print(f"{name}.json\t{origin}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
