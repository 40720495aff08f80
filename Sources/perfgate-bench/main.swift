import Foundation

// Benchmarks are dispatched by name; each lives in its own file.
let args = Array(CommandLine.arguments.dropFirst())
guard let name = args.first else {
    print("usage: perfgate-bench <benchmark> [options]")
    exit(64)
}
if name == "cpd" || name == "cpd-speed" {  // ChangePointBenchmark.swift
    name == "cpd" ? ChangePointBenchmark.runAccuracy(args) : ChangePointBenchmark.runSpeed(args)
    exit(0)
}
if name == "ingest-ndjson" {  // IngestBenchmark.swift
    IngestBenchmark.run(args)
    exit(0)
}
if name == "make-check-store" {  // CheckBenchmark.swift
    CheckBenchmark.run(args)
    exit(0)
}
print("unknown benchmark \(name)")
exit(64)
