import Foundation

// Benchmarks are dispatched by name; each lives in its own file.
let args = Array(CommandLine.arguments.dropFirst())
guard let name = args.first else {
    print("usage: perfgate-bench <benchmark> [options]")
    exit(64)
}
print("unknown benchmark \(name)")
exit(64)
