#!/usr/bin/env python3
"""Writes a JMeter CSV JTL's samples as the XML JTL JMeter writes for the same results
(jmeter.save.saveservice.output_format=xml: XStream's `<testResults version="1.2">`, one
`<httpSample>` per sample with the CSV columns as attributes, the URL in `<java.net.URL>` and a
failed assertion's message in `<assertionResult>`).

Usage: ci/gen-jmeter-xml.py IN.jtl OUT.xml [SIZE_MB]
With SIZE_MB the samples are repeated until the file is at least that large (ci/bench-ingest.sh xml).
"""
import csv
import sys
from xml.sax.saxutils import escape, quoteattr

ATTRIBUTES = [  # XML attribute <- CSV column, in JMeter's order
    ("t", "elapsed"), ("it", "IdleTime"), ("lt", "Latency"), ("ct", "Connect"), ("ts", "timeStamp"),
    ("s", "success"), ("lb", "label"), ("rc", "responseCode"), ("rm", "responseMessage"),
    ("tn", "threadName"), ("dt", "dataType"), ("by", "bytes"), ("sby", "sentBytes"),
    ("ng", "grpThreads"), ("na", "allThreads"),
]


def sample(row):
    attrs = " ".join(f"{a}={quoteattr(row[c])}" for a, c in ATTRIBUTES if c in row)
    out = f"<httpSample {attrs}>\n"
    if row.get("failureMessage"):
        out += ("  <assertionResult>\n    <name>Response Assertion</name>\n    <failure>true</failure>\n"
                f"    <error>false</error>\n    <failureMessage>{escape(row['failureMessage'])}</failureMessage>\n"
                "  </assertionResult>\n")
    if row.get("URL"):
        out += f"  <java.net.URL>{escape(row['URL'])}</java.net.URL>\n"
    return out + "</httpSample>\n"


def main():
    src, dst = sys.argv[1], sys.argv[2]
    size = int(sys.argv[3]) << 20 if len(sys.argv) > 3 else 0
    with open(src, newline="", encoding="utf-8") as f:
        body = "".join(sample(r) for r in csv.DictReader(f)).encode()
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n<testResults version="1.2">\n'
    tail = b"</testResults>\n"
    with open(dst, "wb") as out:
        out.write(head)
        written = len(head)
        block = body * max(1, (8 << 20) // len(body)) if size else body
        while True:
            out.write(block)
            written += len(block)
            if written >= size:
                break
        out.write(tail)


main()
