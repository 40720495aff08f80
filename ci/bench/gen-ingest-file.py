"""A large ingest input built from real tool output (ci/bench-ingest.sh, ci/bench-pg.sh).

usage: gen-ingest-file.py OUT SIZE_MB [k6|jmeter|k6csv|locust]

k6: the real k6 --out json sample (Tests/PerfgateIngestTests/Fixtures/generated/k6/points.ndjson),
its Metric lines once and its Point lines repeated up to SIZE_MB. jmeter: the real corpus JTL's
header once and its rows repeated. k6csv: the real k6 --out csv sample's header once and its rows repeated.
locust: OUT is a PREFIX_stats_history.csv: the real corpus history's header once and its rows repeated,
each repetition moved later in time (Locust's Timestamp never goes backwards); the corpus PREFIX_stats.csv
is written beside it, since the history is a companion of the stats file.
"""
import os
import sys
out, size_mb = sys.argv[1], int(sys.argv[2])
kind = sys.argv[3] if len(sys.argv) > 3 else "k6"
if kind == "locust":
    corpus = "Tests/PerfgateIngestTests/Fixtures/corpus/locust/performance-testing-demo/reports_"
    prefix = out[: -len("_stats_history.csv")]
    with open(corpus + "stats.csv", "rb") as f, open(prefix + "_stats.csv", "wb") as g:
        g.write(f.read())
    # Rows end as Locust writes them on Linux, "\r\n" (this corpus file was written on Windows: "\r\r\n").
    lines = [l.rstrip(b"\r") + b"\r\n" for l in open(corpus + "stats_history.csv", "rb").read().split(b"\n") if l.strip()]
    rows = [l.split(b",", 1) for l in lines[1:]]
    first, last = int(rows[0][0]), int(rows[-1][0])
    with open(out, "wb") as f:
        f.write(lines[0])
        written, shift = len(lines[0]), 0
        while written < size_mb << 20:
            chunk = b"".join(b"%d,%s" % (int(t) + shift, rest) for t, rest in rows)
            f.write(chunk); written += len(chunk); shift += last - first + 1
    sys.exit(0)
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
