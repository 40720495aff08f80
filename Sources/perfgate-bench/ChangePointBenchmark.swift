import Foundation
import PerfgateCore

/// Change-point benchmarks (issue 4, item 5).
///
/// - `cpd --input SERIES.json --output RESULTS.json`: runs `Stats.ChangePoints.eDivisive` with the default
///   options on every series of `{"series": [{"id": "...", "values": [...]}]}` and writes
///   `{"results": [{"id": "...", "change_points": [...], "seconds": t}]}` (`change_points` are 0-based indices of
///   the first point of each new regime). Used by `ci/bench/cpd_accuracy.py`.
/// - `cpd-speed [--length N] [--repetitions R]`: times E-Divisive on seeded N-point series (noise only, and two
///   steps) in-process and prints min/median milliseconds.
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
        var results: [ResultFile.Result] = []
        results.reserveCapacity(file.series.count)
        let start = now()
        for series in file.series {
            let t0 = now()
            let points = Stats.ChangePoints.eDivisive(series.values)
            let seconds = Double(now() - t0) / 1e9
            results.append(
                ResultFile.Result(
                    id: series.id, changePoints: points?.map(\.index) ?? [], seconds: seconds,
                    error: points == nil ? "non-finite or non-positive value" : nil))
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

    /// Seeded series for the speed benchmark: log-normal noise (2 % sd) around 100, optionally with +20 % at
    /// N/3 and −10 % at 2N/3.
    static func speedSeries(length: Int, steps: Bool, seed: UInt64) -> [Double] {
        var rng = Stats.SplitMix64(seed: seed)
        func uniform() -> Double { (Double(rng.next() >> 11) + 0.5) / 9_007_199_254_740_992.0 }
        return (0..<length).map { i in
            let normal = sqrt(-2 * log(uniform())) * cos(2 * Double.pi * uniform())
            var level = 100.0
            if steps && i >= length / 3 { level *= 1.2 }
            if steps && i >= 2 * length / 3 { level *= 0.9 }
            return level * exp(0.02 * normal)
        }
    }

    static func runSpeed(_ args: [String]) {
        let length = Int(option(args, "--length") ?? "5000") ?? 5000
        let repetitions = max(1, Int(option(args, "--repetitions") ?? "15") ?? 15)
        print("perfgate cpd-speed: E-Divisive (default options), \(length) points, \(repetitions) repetitions")
        for (label, steps) in [("noise", false), ("two steps", true)] {
            let values = speedSeries(length: length, steps: steps, seed: 0x5EED)
            var found = 0
            var times: [Double] = []
            for _ in 0..<repetitions {
                let t0 = now()
                let points = Stats.ChangePoints.eDivisive(values) ?? []
                times.append(Double(now() - t0) / 1e6)
                found = points.count
            }
            times.sort()
            let median =
                times.count % 2 == 1
                ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
            let name = label.padding(toLength: 9, withPad: " ", startingAt: 0)
            print("  \(name)" + String(format: "  min %8.2f ms  median %8.2f ms  change points %d", times[0], median, found))
        }
    }
}
