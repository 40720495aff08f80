import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateStore

/// Change-point benchmarks (issue 4, item 5).
///
/// - `cpd --input SERIES.json --output RESULTS.json [--last N | --all] [--search scan|global]`: runs what
///   `perfgate detect` runs on one series (`ChangePointDetection.changePoints` with its default options: E-Divisive
///   plus the local-window scan, on the newest `ChangePointDetection.defaultLastCommits` points) on every series of
///   `{"series": [{"id": "...", "values": [...]}]}` and writes
///   `{"results": [{"id": "...", "change_points": [...], "seconds": t}]}` (`change_points` are 0-based indices of
///   the first point of each new regime, in the whole series). `--search global` switches the scan off (the
///   plain `Stats.ChangePoints.eDivisive` defaults, what the gate uses); `--last 200 --search global` is the
///   `detect` of before the scan. Used by `ci/bench/cpd_accuracy.py`.
/// - `cpd-speed [--length N] [--repetitions R]`: times both searches on seeded N-point series (noise only, two
///   steps, two short bumps) in-process and prints min/median milliseconds.
/// - `detect-speed --store PATH [--branch main] [--last N | --all]`: what `perfgate detect --dry-run` does, in
///   process and timed in two parts: reading the history from the store (p50, p95, p99, throughput and
///   error_rate of every series) and detection. A store from `make-check-store` (one run per commit) fits.
enum ChangePointBenchmark {
    struct SeriesFile: Decodable {
        struct Series: Decodable {
            var id: String
            var values: [Double]
        }
        var series: [Series]
    }

    struct ResultFile: Encodable {
        struct Result: Encodable {
            var id: String
            var changePoints: [Int]
            var seconds: Double
            var error: String?

            enum CodingKeys: String, CodingKey {
                case id
                case changePoints = "change_points"
                case seconds
                case error
            }
        }
        var tool = "perfgate"
        var results: [Result]
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("perfgate-bench: \(message)\n".utf8))
        exit(64)
    }

    static func option(_ args: [String], _ name: String) -> String? {
        guard let i = args.firstIndex(of: name) else { return nil }
        guard i + 1 < args.count else { fail("\(name) needs a value") }
        return args[i + 1]
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    static func runAccuracy(_ args: [String]) {
        guard let input = option(args, "--input"), let output = option(args, "--output") else {
            fail("usage: perfgate-bench cpd --input SERIES.json --output RESULTS.json")
        }
        let file: SeriesFile
        do {
            file = try JSONDecoder().decode(SeriesFile.self, from: Data(contentsOf: URL(fileURLWithPath: input)))
        } catch {
            fail("cannot read \(input): \(error)")
        }
        var last: Int? = ChangePointDetection.defaultLastCommits
        if args.contains("--all") { last = nil }
        if let n = option(args, "--last") {
            guard let v = Int(n), v >= 1 else { fail("--last needs a positive integer") }
            last = v
        }
        let options = searchOptions(args)
        var results: [ResultFile.Result] = []
        results.reserveCapacity(file.series.count)
        let start = now()
        for series in file.series {
            let t0 = now()
            let offset = last.map { max(0, series.values.count - $0) } ?? 0
            let points = ChangePointDetection.changePoints(Array(series.values[offset...]), options: options)
            let seconds = Double(now() - t0) / 1e9
            results.append(
                ResultFile.Result(
                    id: series.id, changePoints: points?.map { $0.index + offset } ?? [], seconds: seconds,
                    error: points == nil ? "non-finite value" : nil))
        }
        let total = Double(now() - start) / 1e9
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try encoder.encode(ResultFile(results: results)).write(to: URL(fileURLWithPath: output))
        } catch {
            fail("cannot write \(output): \(error)")
        }
        print(String(format: "perfgate cpd: %d series in %.3f s", results.count, total))
    }

    /// `--search scan` (default: `ChangePointDetection.defaultOptions`, what `perfgate detect` runs) or `global`
    /// (the same without the local-window scan: `Stats.ChangePoints.eDivisive`'s defaults).
    static func searchOptions(_ args: [String]) -> Stats.ChangePoints.Options {
        var options = ChangePointDetection.defaultOptions
        switch option(args, "--search") ?? "scan" {
        case "scan": options.localScan = true
        case "global": options.localScan = false
        case let other: fail("--search must be scan or global, not \(other)")
        }
        return options
    }

    /// Seeded series for the speed benchmark: log-normal noise (2 % sd) around 100, optionally with +20 % at
    /// N/3 and −10 % at 2N/3 (`steps`), or +30 % for 10 points at N/4 and +10 % for 20 points at 3N/5 (`bumps`).
    static func speedSeries(length: Int, steps: Bool, bumps: Bool = false, seed: UInt64) -> [Double] {
        var rng = Stats.SplitMix64(seed: seed)
        func uniform() -> Double { (Double(rng.next() >> 11) + 0.5) / 9_007_199_254_740_992.0 }
        return (0..<length).map { i in
            let normal = sqrt(-2 * log(uniform())) * cos(2 * Double.pi * uniform())
            var level = 100.0
            if steps && i >= length / 3 { level *= 1.2 }
            if steps && i >= 2 * length / 3 { level *= 0.9 }
            if bumps && i >= length / 4 && i < length / 4 + 10 { level *= 1.3 }
            if bumps && i >= 3 * length / 5 && i < 3 * length / 5 + 20 { level *= 1.1 }
            return level * exp(0.02 * normal)
        }
    }

    static func runSpeed(_ args: [String]) {
        let length = Int(option(args, "--length") ?? "5000") ?? 5000
        let repetitions = max(1, Int(option(args, "--repetitions") ?? "15") ?? 15)
        print("perfgate cpd-speed: \(length) points, \(repetitions) repetitions; global = E-Divisive defaults (the gate),")
        print("  scan = with the local-window scan (perfgate detect)")
        for (label, steps, bumps) in [("noise", false, false), ("two steps", true, false), ("two bumps", false, true)] {
            let values = speedSeries(length: length, steps: steps, bumps: bumps, seed: 0x5EED)
            for scan in [false, true] {
                var options = ChangePointDetection.defaultOptions
                options.localScan = scan
                var found = 0
                var times: [Double] = []
                for _ in 0..<repetitions {
                    let t0 = now()
                    let points = Stats.ChangePoints.eDivisive(values, options: options) ?? []
                    times.append(Double(now() - t0) / 1e6)
                    found = points.count
                }
                times.sort()
                let median =
                    times.count % 2 == 1
                    ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
                let name = "\(label), \(scan ? "scan" : "global")".padding(toLength: 18, withPad: " ", startingAt: 0)
                print("  \(name)" + String(format: "  min %8.2f ms  median %8.2f ms  change points %d", times[0], median, found))
            }
        }
    }

    static func runDetectSpeed(_ args: [String]) {
        guard let path = option(args, "--store") else { fail("usage: perfgate-bench detect-speed --store PATH [--last N | --all]") }
        let branch = option(args, "--branch") ?? "main"
        var last: Int? = ChangePointDetection.defaultLastCommits
        if args.contains("--all") { last = nil }
        if let n = option(args, "--last") { last = Int(n) }
        do {
            let store = try PerfgateStore.open(path: path)
            let statistics = ["p50", "p95", "p99", "throughput", "error_rate"].compactMap { Statistic.parse($0) }
            let t0 = now()
            let histories = try store.seriesHistory(SeriesHistoryQuery(branch: branch, statistics: statistics, lastCommits: last))
            let t1 = now()
            var points = 0
            var found = 0
            for h in histories {
                points += h.points.count
                found +=
                    ChangePointDetection.detect(
                        h.points, direction: .lowerIsBetter,
                        lastCommits: last, label: (h.scenario, h.environment, branch, h.endpoint, h.metric, h.statistic.rawValue)
                    ).count
            }
            let t2 = now()
            print(
                "detect-speed \(last.map { "--last \($0)" } ?? "--all"): \(histories.count) series, \(points) points; "
                    + String(format: "read %.0f ms, detect %.0f ms, total %.0f ms; %d change points", Double(t1 - t0) / 1e6,
                        Double(t2 - t1) / 1e6, Double(t2 - t0) / 1e6, found))
        } catch {
            fail("\(error)")
        }
    }
}
