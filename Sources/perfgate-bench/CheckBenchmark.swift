import Foundation
import PerfgateCore
import PerfgateStore

/// `perfgate-bench make-check-store --runs 10000 --series 50 --out DIR`: builds a synthetic store
/// (one run per commit on main, `--series` endpoints with p50/p90/p95/p99/mean/count/error_rate/
/// throughput each, plus the commit under test on a feature branch) and a budget file with absolute,
/// relative and statistical rules over every endpoint. `ci/bench-check.sh` then times
/// `perfgate check` on it as a whole process, with `perfgate --version` as the floor.
enum CheckBenchmark {
    static func run(_ args: [String]) {
        func option(_ name: String, _ def: String) -> String {
            if let i = args.firstIndex(of: name), i + 1 < args.count { return args[i + 1] }
            return def
        }
        let runs = Int(option("--runs", "10000")) ?? 10000
        let seriesCount = Int(option("--series", "50")) ?? 50
        let out = option("--out", "/tmp/perfgate-check-bench")
        // `--step-at K`: endpoint-1 is 25 % slower from main commit K on (a lasting change for `tune`).
        let stepAt = Int(option("--step-at", "-1")) ?? -1
        // `--timeline N`: every run also carries a run timeline of N one-second buckets (3 users
        // ramping up in the first 5 s), so `ci/bench-report.sh` times the run pages' charts too.
        let timelineSeconds = min(Int(option("--timeline", "0")) ?? 0, RunTimeline.maxBuckets)
        try? FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let path = out + "/history.sqlite"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let start = Date()
        do {
            let store = try PerfgateStore.open(path: path)
            var rng = Stats.SplitMix64(seed: 42)
            func noise() -> Double { 1 + 0.03 * (Double(rng.next() % 10_000) / 10_000 - 0.5) }
            func sha(_ i: Int) -> String {
                let hex = String(i, radix: 16)
                return String(repeating: "0", count: 40 - hex.count) + hex
            }
            var batch: [(IngestedRun, RunContext)] = []
            for i in 0...runs {
                let isCurrent = i == runs
                var series: [SeriesResult] = []
                for e in 0..<seriesCount {
                    let base = 20 + Double(e)
                    let slow = (isCurrent && e == 0 ? 1.25 : 1.0) * (stepAt >= 0 && i >= stepAt && e == 1 ? 1.25 : 1.0)
                    let f = noise() * slow
                    series.append(
                        SeriesResult(
                            key: SeriesKey(endpoint: "GET /api/endpoint-\(e)", metric: SeriesKey.requestLatencyMetric),
                            unit: .milliseconds, direction: .lowerIsBetter,
                            stats: [
                                .count: 5000, .mean: base * 0.9 * f, .p50: base * 0.8 * f, .p90: base * 1.2 * f,
                                .p95: base * 1.5 * f, .p99: base * 2.5 * f, .errorRate: 0.001, .throughput: 100 * noise(),
                            ]))
                }
                var run = IngestedRun(tool: "k6", toolVersion: "1.1.0", format: "k6-summary", durationSeconds: 60, series: series)
                if timelineSeconds > 0 {
                    run.timeline = RunTimeline(
                        bucketSeconds: 1,
                        buckets: (0..<timelineSeconds).map { s in
                            let f = noise()
                            return TimelineBucket(
                                index: s, requests: (100 * f).rounded(), errors: s % 17 == 0 ? 1 : 0, p50: 20 * f, p95: 30 * f,
                                users: Double(min(3, 1 + s / 2)))
                        })
                }
                let ctx = RunContext(
                    commit: CommitInfo(
                        sha: sha(i + 1), branch: isCurrent ? "feature" : "main",
                        committedAt: Date(timeIntervalSince1970: 1_700_000_000 + Double(i) * 600),
                        parentSha: i > 0 ? sha(isCurrent ? runs - 1 + 1 : i) : nil),
                    scenario: "load", environment: "bench",
                    sources: [SourceFile(path: "run-\(i).json", digest: "sha256:\(i)", bytes: 1)],
                    ingestedAt: Date(timeIntervalSince1970: 1_700_000_000 + Double(i) * 600), perfgateVersion: "bench")
                batch.append((run, ctx))
                if batch.count == 500 {
                    _ = try store.insertAll(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { _ = try store.insertAll(batch) }
            let budgets = """
                {
                  "version": 1,
                  "baseline": { "branch": "main", "strategy": "merge-base" },
                  "budgets": [
                    { "name": "SLA", "endpoint": "GET *", "max": { "p95": "500ms" } },
                    { "name": "drift", "regression": { "p95": "10%", "p99": "20%" } },
                    { "name": "stats", "significant": { "p95": "10%" } },
                    { "name": "errors", "max": { "error_rate": "1%" } }
                  ]
                }
                """
            try Data(budgets.utf8).write(to: URL(fileURLWithPath: out + "/budgets.json"))
            let c = try store.counts()
            print(
                "store \(path): \(c.runs) runs, \(c.series) series, \(c.measurements) measurements; built in \(String(format: "%.1f", Date().timeIntervalSince(start))) s"
            )
            print("current commit: \(sha(runs + 1)) on feature")
        } catch {
            print("error: \(error)")
            exit(1)
        }
    }
}
