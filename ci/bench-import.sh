#!/usr/bin/env bash
# Whole-process `import` benchmark: exports the demo history (real k6 and Locust results), repeats its
# runs under new commit SHAs into a history file of SIZE_MB (default 85), and times `perfgate import`
# into a fresh store: wall time, CPU time (user + sys) and peak RSS, with the CPU time Python's json.load
# needs to parse the same file as the anchor. Figures, not a gate.
# Usage: ci/bench-import.sh [SIZE_MB]    PERFGATE_BIN=path to use a built binary
# Binary: ci/bench/binary.sh (static release build in $PERFGATE_BUILD_DIR or .build; PERFGATE_BIN_DIR=DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB="${1:-85}"
. ci/bench/binary.sh perfgate
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && "$PERFGATE" demo --store demo.sqlite >/dev/null && "$PERFGATE" export --store demo.sqlite --out demo.json)
python3 - "$WORK/demo.json" "$WORK/history.json" "$SIZE_MB" <<'PY'
import json, sys
src, out, size_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
doc = json.load(open(src))
base = doc["runs"]
one = sum(len(json.dumps(r)) for r in base)
copies = max(1, (size_mb << 20) // one)
runs = []
for k in range(copies):
    for r in base:
        r = json.loads(json.dumps(r))
        r["run"]["commit"]["sha"] = f"{k:08x}" + r["run"]["commit"]["sha"][8:]
        r.pop("sources", None)
        runs.append(r)
doc["runs"] = runs
json.dump(doc, open(out, "w"), indent=1)
PY
BYTES=$(stat -c %s "$WORK/history.json")
/usr/bin/time -f "%e %M %U %S" -o "$WORK/time" "$PERFGATE" import "$WORK/history.json" --store "$WORK/h.sqlite" > "$WORK/out" 2>&1 \
  || { cat "$WORK/out"; exit 1; }
read -r wall rss user sys < "$WORK/time"
python3 -c "print(f'import: {$BYTES/1048576:.0f} MB history, {open(\"$WORK/out\").read().strip()}: {$wall} s wall, {$user + $sys:.2f} s CPU, peak RSS {$rss/1024:.0f} MB')"
# Anchor in the same run: the CPU time Python needs just to parse the same file (json.load).
/usr/bin/time -f "%U %S %M" -o "$WORK/ptime" python3 -c "import json, sys; json.load(open(sys.argv[1]))" "$WORK/history.json"
read -r puser psys prss < "$WORK/ptime"
python3 -c "print(f'anchor: python3 json.load of the same file: {$puser + $psys:.2f} s CPU, peak RSS {$prss/1024:.0f} MB')"
