"""A large ingest input built from real tool output (ci/bench-ingest.sh, ci/bench-pg.sh).

usage: gen-ingest-file.py OUT SIZE_MB [k6|jmeter|k6csv]

k6: the real k6 --out json sample (Tests/PerfgateIngestTests/Fixtures/generated/k6/points.ndjson),
its Metric lines once and its Point lines repeated up to SIZE_MB. jmeter: the real corpus JTL's
header once and its rows repeated. k6csv: the real k6 --out csv sample's header once and its rows repeated.
"""
import sys
out, size_mb = sys.argv[1], int(sys.argv[2])
kind = sys.argv[3] if len(sys.argv) > 3 else "k6"
if kind in ("jmeter", "k6csv"):
    src = {"jmeter": "Tests/PerfgateIngestTests/Fixtures/corpus/jmeter/blazedemo-results.jtl",
           "k6csv": "Tests/PerfgateIngestTests/Fixtures/generated/k6/points.csv"}[kind]
    lines = open(src, "rb").read().splitlines(keepends=True)
    head, body = lines[0], b"".join(lines[1:])
else:
    src = "Tests/PerfgateIngestTests/Fixtures/generated/k6/points.ndjson"
    lines = open(src, "rb").read().splitlines(keepends=True)
    head = b"".join(l for l in lines if b'"type":"Metric"' in l)
    body = b"".join(l for l in lines if b'"type":"Metric"' not in l)
block = body * max(1, (8 << 20) // len(body))
with open(out, "wb") as f:
    f.write(head)
    written = len(head)
    while written < size_mb << 20:
        f.write(block); written += len(block)
