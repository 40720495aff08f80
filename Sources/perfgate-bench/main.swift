import Foundation

// Benchmarks are dispatched by name; each lives in its own file.
let args = Array(CommandLine.arguments.dropFirst())
guard let name = args.first else {
    print("usage: perfgate-bench <benchmark> [options]")
    exit(64)
}
if name == "cpd" || name == "cpd-speed" || name == "detect-speed" {  // ChangePointBenchmark.swift
    switch name {
    case "cpd": ChangePointBenchmark.runAccuracy(args)
    case "cpd-speed": ChangePointBenchmark.runSpeed(args)
    default: ChangePointBenchmark.runDetectSpeed(args)
    }
    exit(0)
}
if name == "ingest-ndjson" {  // IngestBenchmark.swift
    IngestBenchmark.run(args)
    exit(0)
}
if name == "ingest-jtl" {  // IngestBenchmark.swift
    IngestBenchmark.runJTL(args)
    exit(0)
}
if name == "make-check-store" {  // CheckBenchmark.swift
    CheckBenchmark.run(args)
    exit(0)
}
print("unknown benchmark \(name)")
exit(64)
