import Foundation
import PerfgateCore
import PerfgateTestSupport
import Testing

@testable import PerfgateIngest

/// The microbenchmark adapters on real files: `corpus/` (public repositories, see each SOURCES.md)
/// and `generated/microbench/` (made by `ci/gen-microbench-fixtures.sh` with the real tools).
/// Expected values are the numbers the tools themselves printed or wrote.
@Suite("microbenchmark adapters")
struct MicrobenchTests {
    func parse(_ format: InputFormat, _ path: String) throws -> IngestedRun {
        let file = ingestFixture(path)
        #expect(try InputFormat.detect(file) == format, "detected by content: \(path)")
        return try format.adapter.parse(InputSet(primary: file))
    }

    func parseText(_ format: InputFormat, _ text: String, _ name: String = "bench.out") throws -> IngestedRun {
        try format.adapter.parse(InputSet(primary: inline(text, name)))
    }

    func stat(_ run: IngestedRun, _ benchmark: String, _ metric: String, _ s: Statistic) -> Double? {
        run.series(SeriesKey(endpoint: benchmark, metric: metric))?.stats[s]
    }

    func close(_ a: Double?, _ b: Double, rel: Double = 1e-12) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= rel * max(abs(a), abs(b))
    }

    /// The JSON document of a fixture, for comparing with the tool's own numbers.
    func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Fixtures.url(path, target: "PerfgateIngestTests"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Where the malformed-input error of `body` points, and its message.
    func location(_ body: () throws -> Void) -> (PerfgateCore.SourceLocation, String)? { K6T.errorLocation(body) }

    // MARK: hyperfine

    @Test func hyperfineTimesAreSamplesAndHyperfinesOwnStatisticsAreKept() throws {
        let run = try parse(.hyperfineJSON, "corpus/hyperfine/zeroows-1brc-hyperfine.json")
        let cmd = "cargo run --release --bin 1brc measurements_1000000000.txt"
        let t = try #require(run.series(SeriesKey(endpoint: cmd, metric: Microbench.time)))
        #expect(t.unit == .milliseconds && t.direction == .lowerIsBetter)
        #expect(t.stats[.count] == 3 && t.stats[.errors] == 0)
        #expect(close(t.stats[.mean], 11.61481411152 * 1000) && close(t.stats[.p50], 11.81813333352 * 1000))
        #expect(close(t.stats[.stddev], 1.6447334482677183 * 1000) && close(t.stats[.min], 9.877873458520002 * 1000))
        #expect(t.distribution?.count == 3)
        #expect(close(stat(run, cmd, Microbench.userTime, .mean), 43.55566462666667 * 1000))
        #expect(close(stat(run, cmd, Microbench.systemTime, .mean), 7.316738046666667 * 1000))
        #expect(run.tool == "hyperfine" && run.series.count == 6)
    }

    @Test func statisticsComputedFromTheTimesMatchHyperfines() throws {
        // Every corpus and generated file: mean, median, min, max and stddev recomputed from
        // `times` equal what hyperfine wrote beside them.
        for path in [
            "corpus/hyperfine/zeroows-1brc-hyperfine.json", "corpus/hyperfine/rucics-meowhw-hyperfine_results.json",
            "corpus/hyperfine/dandavison-misc-hyperfine.json", "generated/microbench/hyperfine.json",
        ] {
            let doc = try json(path)
            for r in try #require(doc["results"] as? [[String: Any]]) {
                let times = try #require(r["times"] as? [Double]).map { $0 * 1000 }
                let own = Microbench.series(
                    benchmark: "x", metric: "time", unit: .milliseconds, direction: .lowerIsBetter, samples: times)
                for (key, s) in [("mean", Statistic.mean), ("median", .p50), ("min", .min), ("max", .max), ("stddev", .stddev)] {
                    let reported = try #require(r[key] as? Double) * 1000
                    #expect(abs((own.stats[s] ?? .nan) - reported) <= 1e-9 * max(1, reported), "\(path) \(key)")
                }
            }
            _ = try parse(.hyperfineJSON, path)
        }
    }

    @Test func hyperfineFailedRunsAreErrorsOfTheCommand() throws {
        // hyperfine < 1.12 marked a failing command with " [ERROR]" and wrote no exit codes.
        let run = try parse(.hyperfineJSON, "corpus/hyperfine/dandavison-misc-hyperfine.json")
        let t = try #require(run.series.first { $0.key.metric == Microbench.time })
        #expect(!t.key.endpoint.hasSuffix("[ERROR]") && t.stats[.errors] == 1)
        #expect(t.distribution == nil, "sub-microsecond samples are not kept as a 1 µs-resolution distribution")
        let generated = try parse(.hyperfineJSON, "generated/microbench/hyperfine.json")
        #expect(stat(generated, "sleep-100ms", Microbench.time, .count) == 10)
        #expect(generated.series(SeriesKey(endpoint: "sleep-100ms", metric: Microbench.time))?.distribution?.count == 10)
        let exit = try parseText(
            .hyperfineJSON,
            #"{"results": [{"command": "x", "mean": 1, "stddev": null, "median": 1, "user": 0, "system": 0, "min": 1, "max": 1, "times": [1, 1], "exit_codes": [0, null]}]}"#)
        #expect(stat(exit, "x", Microbench.time, .errors) == 1 && stat(exit, "x", Microbench.time, .stddev) == 0)
    }

    @Test func hyperfineErrorsNameTheJSONPath() throws {
        let loc = location {
            _ = try parseText(
                .hyperfineJSON,
                #"{"results": [{"command": "x", "mean": 1, "stddev": 0, "median": 1, "user": 0, "system": 0, "min": 1, "max": 1, "times": [1, "2"]}]}"#)
        }
        #expect(loc?.0.jsonPath == "results[0].times[1]" && loc?.1.contains("expected a number") == true)
        let typo = location {
            _ = try parseText(
                .hyperfineJSON,
                #"{"results": [{"command": "x", "mean": 1, "stddev": 0, "median": 1, "user": 0, "system": 0, "min": 1, "max": 1, "times": [1], "exit_code": [0]}]}"#)
        }
        #expect(typo?.0.jsonPath == "results[0].exit_code" && typo?.1.contains("did you mean \"exit_codes\"") == true)
    }

    // MARK: Go

    @Test func goBenchLinesAreSamplesAndMediansMatchBenchstat() throws {
        let run = try parse(.goBench, "corpus/go-bench/benchstat-crc-old.txt")
        // benchstat's own table for this file (corpus/go-bench/benchstat-crcOldNew.stdout):
        //   CRC32/poly=IEEE/size=15/align=0-8   46.55n ± 9%
        //   CRC32/poly=IEEE/size=4kB/align=0-8  1.701µ ± 7%
        //   CRC32/poly=IEEE/size=15/align=0-8   307.3Mi ± 8%  (B/s: Go's MB/s is 10^6 bytes/s)
        let small = try #require(run.series(SeriesKey(endpoint: "BenchmarkCRC32/poly=IEEE/size=15/align=0", metric: Microbench.time)))
        #expect(small.unit == .milliseconds && small.stats[.count] == 10)
        #expect(close(small.stats[.p50], 46.55e-6, rel: 1e-9))
        #expect(close(stat(run, "BenchmarkCRC32/poly=IEEE/size=4kB/align=0", Microbench.time, .p50), 1.701e-3, rel: 1e-3))
        let mbps = try #require(run.series(SeriesKey(endpoint: "BenchmarkCRC32/poly=IEEE/size=15/align=0", metric: Microbench.bytesPerSecond)))
        #expect(mbps.direction == .higherIsBetter && mbps.unit == .perSecond)
        #expect(close(mbps.stats[.p50], 307.3 * 1024 * 1024, rel: 2e-4))
        #expect(run.tags["pkg"] == "hash/crc32" && run.tags["goos"] == "darwin")
        #expect(stat(run, "BenchmarkCRC32/poly=IEEE/size=15/align=0", Microbench.time, Microbench.iterations) == 30_000_000)
    }

    @Test func goBenchmemUnitsAndCustomMetrics() throws {
        let run = try parse(.goBench, "corpus/go-bench/golang-perf-suffixarray.bench")
        let name = "BenchmarkNew/text=opticks/size=100K/bits=32"
        #expect(stat(run, name, Microbench.time, .count) == 10)
        // The ten ns/op values of the file average 4 282 342.6 ns.
        #expect(close(stat(run, name, Microbench.time, .mean), 4_282_342.6e-6, rel: 1e-12))
        #expect(stat(run, name, Microbench.allocsPerOp, .p50) == 2)
        #expect(run.series(SeriesKey(endpoint: name, metric: Microbench.bytesPerOp))?.unit == .bytes)
        let gab = try parse(.goBench, "corpus/go-bench/gab-go_output.txt")
        let aux = try #require(gab.series(SeriesKey(endpoint: "BenchmarkFib11", metric: "auxMetricUnits")))
        #expect(aux.stats[.mean] == 3 && aux.direction == .lowerIsBetter)
        #expect(stat(gab, "BenchmarkFib20", Microbench.time, .mean) == 40537.123 / 1e6)
        #expect(gab.series(SeriesKey(endpoint: "BenchmarkFib/my/tabled/benchmark_-_20,var1=13,var2=14", metric: Microbench.time)) != nil)
        let fiber = try parse(.goBench, "corpus/go-bench/gab-go_fiber_output.txt")
        #expect(stat(fiber, "Benchmark_Utils_GetOffer/mime_extension#01", Microbench.bytesPerOp, .mean) == 48)
        let generated = try parse(.goBench, "generated/microbench/go-bench.txt")
        #expect(stat(generated, "BenchmarkParse", Microbench.time, .count) == 5)
        #expect(generated.series(SeriesKey(endpoint: "BenchmarkFormat", metric: "items/op")) != nil)
        #expect(generated.series(SeriesKey(endpoint: "BenchmarkParse", metric: Microbench.bytesPerSecond))?.direction == .higherIsBetter)
    }

    @Test func goTestJSONEventsAreReassembledIntoTheSameResults() throws {
        // `go test -json -bench`, made by the real go tool (generated/microbench/go-bench.json):
        // test2json splits a benchmark's name and its result over two output events.
        let json = try parse(.goBench, "generated/microbench/go-bench.json")
        let text = try parse(.goBench, "generated/microbench/go-bench.txt")
        #expect(json.series.map(\.key) == text.series.map(\.key))
        #expect(stat(json, "BenchmarkParse", Microbench.time, .count) == 5)
        #expect(json.tags["pkg"] == "example.com/perfgate/microbench")
        let bad = location { _ = try parseText(.goBench, #"{"Action":"output","Package":"p","Output":"BenchmarkA-8 1 2 ns/op\n"}"# + "\n{oops\n") }
        #expect(bad?.0.line == 2 && bad?.1.contains("not a go test -json event") == true)
    }

    @Test func goBenchErrorsNameTheLine() throws {
        let bad = location { _ = try parseText(.goBench, "goos: linux\nBenchmarkA-8  100  12 ns/op\nBenchmarkB-8  100  1x2 ns/op\n") }
        #expect(bad?.0.line == 3 && bad?.1.contains("\"1x2\" is not a number") == true)
        let odd = location { _ = try parseText(.goBench, "BenchmarkA-8  100  12 ns/op 5\n") }
        #expect(odd?.0.line == 1 && odd?.1.contains("value without a unit") == true)
        let none = location { _ = try parseText(.goBench, "PASS\nok  pkg 0.1s\n") }
        #expect(none?.1.contains("no Go benchmark result lines") == true)
    }

    // MARK: Google Benchmark

    @Test func googleBenchmarkTimesAreConvertedFromTimeUnit() throws {
        let run = try parse(.googleBenchmarkJSON, "corpus/google-benchmark/gab-googlecpp_output.json")
        #expect(stat(run, "fib_10", Microbench.time, .mean) == 2.1498980114547953e+02 / 1e6)
        #expect(stat(run, "fib_20", Microbench.cpuTime, .mean) == 2.7364903204272359e+04 / 1e6)
        #expect(stat(run, "fib_10", Microbench.time, Microbench.iterations) == 3070566)
        #expect(run.tags["host_name"] == "Corgi.local")
        let t1 = try parse(.googleBenchmarkJSON, "corpus/google-benchmark/gbench-test1_run1.json")
        #expect(stat(t1, "BM_NotBadTimeUnit", Microbench.time, .mean) == 400)  // 0.4 s
        #expect(t1.series(SeriesKey(endpoint: "MyComplexityTest", metric: Microbench.time)) == nil, "BigO/RMS are fits, not times")
        let t3 = try parse(.googleBenchmarkJSON, "corpus/google-benchmark/gbench-test3_run0.json")
        #expect(stat(t3, "medium", Microbench.time, .count) == 2 && close(stat(t3, "medium", Microbench.cpuTime, .mean), 81e-6))
    }

    @Test func googleBenchmarkRepetitionsAreSamplesAndTheLibrarysAggregatesAreKept() throws {
        let path = "generated/microbench/google-benchmark.json"
        let run = try parse(.googleBenchmarkJSON, path)
        let entries = try #require(try json(path)["benchmarks"] as? [[String: Any]])
        func own(_ aggregate: String) throws -> Double {
            let e = try #require(entries.first { $0["run_name"] as? String == "BM_Sort/1024" && $0["aggregate_name"] as? String == aggregate })
            return try #require(e["real_time"] as? Double) / 1e6
        }
        let t = try #require(run.series(SeriesKey(endpoint: "BM_Sort/1024", metric: Microbench.time)))
        let (mean, median, stddev) = (try own("mean"), try own("median"), try own("stddev"))
        #expect(t.stats[.count] == 5)
        // (JSONSerialization on Linux can be one ulp off the exact parse perfgate uses.)
        #expect(close(t.stats[.mean], mean) && close(t.stats[.p50], median) && close(t.stats[.stddev], stddev))
        // The library's mean of the five repetitions is the mean of the samples perfgate kept.
        let repetitions = entries.filter { $0["run_name"] as? String == "BM_Sort/1024" && $0["run_type"] as? String == "iteration" }
            .map { ($0["real_time"] as! Double) / 1e6 }
        #expect(repetitions.count == 5 && abs(Stats.mean(repetitions) - mean) < 1e-9 * mean)
        let items = try #require(run.series(SeriesKey(endpoint: "BM_Sort/1024", metric: "items_per_second")))
        #expect(items.direction == .higherIsBetter && items.unit == .perSecond && items.stats[.count] == 5)
        #expect(run.series(SeriesKey(endpoint: "BM_StringConcat", metric: "chars"))?.direction == .lowerIsBetter)
    }

    @Test func googleBenchmarkBareNaNIsReadAndErrorsNameThePath() throws {
        let nan = try parseText(
            .googleBenchmarkJSON,
            #"{"benchmarks": [{"name": "BM_x", "run_type": "iteration", "iterations": 10, "real_time": 5, "cpu_time": 5, "time_unit": "us", "rate": NaN}]}"#)
        #expect(stat(nan, "BM_x", Microbench.time, .mean) == 0.005 && nan.series(SeriesKey(endpoint: "BM_x", metric: "rate")) == nil)
        let missing = location {
            _ = try parseText(.googleBenchmarkJSON, #"{"benchmarks": [{"name": "BM_x", "run_type": "iteration", "cpu_time": 5, "time_unit": "ns"}]}"#)
        }
        #expect(missing?.0.jsonPath == "benchmarks[0].real_time")
        let unit = location {
            _ = try parseText(.googleBenchmarkJSON, #"{"benchmarks": [{"name": "BM_x", "real_time": 5, "cpu_time": 5, "time_unit": "fortnight"}]}"#)
        }
        #expect(unit?.0.jsonPath == "benchmarks[0].time_unit")
        // compare.py's ordering fixture has entries without any time: refused, naming the first one.
        let untimed = location { _ = try parse(.googleBenchmarkJSON, "corpus/google-benchmark/gbench-test4_run.json") }
        #expect(untimed?.0.jsonPath == "benchmarks[0].real_time")
    }

    // MARK: pytest-benchmark

    @Test func pytestBenchmarkDataAreSamplesMatchingItsOwnStatistics() throws {
        let path = "generated/microbench/pytest-benchmark.json"
        let run = try parse(.pytestBenchmarkJSON, path)
        let doc = try json(path)
        for b in try #require(doc["benchmarks"] as? [[String: Any]]) {
            let name = try #require(b["fullname"] as? String)
            let s = try #require(b["stats"] as? [String: Any])
            let series = try #require(run.series(SeriesKey(endpoint: name, metric: Microbench.time)))
            #expect(series.stats[.count] == (s["rounds"] as? NSNumber)?.doubleValue)
            #expect(close(series.stats[.mean], (s["mean"] as! Double) * 1000) && close(series.stats[.p50], (s["median"] as! Double) * 1000))
            #expect(close(series.stats[.percentile(75)], (s["q3"] as! Double) * 1000))
            let data = (s["data"] as! [Double]).map { $0 * 1000 }
            #expect(abs(Stats.mean(data) - series.stats[.mean]!) <= 1e-9 * series.stats[.mean]!)
            #expect(abs(Stats.median(data) - series.stats[.p50]!) <= 1e-9 * series.stats[.p50]!)
            // Tens of microseconds: a 1 µs-resolution distribution would be off by several per cent.
            #expect((series.distribution?.count == UInt64(data.count)) == (data.min()! >= 0.1))
            #expect(close(stat(run, name, Microbench.opsPerSecond, .mean), s["ops"] as! Double))
        }
        #expect(run.toolVersion == "5.2.3" && run.tags["branch"] == "formats-micro" && run.startedAt != nil)
    }

    @Test func pytestBenchmarkCorpusFilesOldAndTrimmed() throws {
        // The 2.5.0 storage file has no data, ops or total.
        let old = try parse(.pytestBenchmarkJSON, "corpus/pytest-benchmark/pytest-benchmark-storage-0030-v2.5.0.json")
        let s = try #require(old.series(SeriesKey(endpoint: "tests/test_normal.py::test_xfast_parametrized[0]", metric: Microbench.time)))
        #expect(s.stats[.mean] == 2.61205074138546e-07 * 1000 && s.stats[.count] == 9710 && s.distribution == nil)
        #expect(s.stats[Microbench.iterations] == 4_185_010)  // 431 iterations × 9 710 rounds
        #expect(old.tags["commit"] == "5b78858eb718649a31fb93d8dc96ca2cee41a4cd" && old.tags["dirty"] == "true")
        #expect(abs((old.startedAt?.timeIntervalSince1970 ?? 0) - 1_439_597_058.687119) < 1e-3)
        // Naive timestamps (pytest-benchmark before 4.0) are UTC.
        #expect(PytestBenchmarkAdapter.date("2019-11-16T03:10:30.5")?.timeIntervalSince1970 == 1_573_873_830.5)
        // github-action-benchmark cut `data` short by hand: its statistics are used, not the stub.
        for path in ["corpus/pytest-benchmark/gab-pytest_output.json", "corpus/pytest-benchmark/gab-pytest_several_units.json"] {
            let run = try parse(.pytestBenchmarkJSON, path)
            let times = run.series.filter { $0.key.metric == Microbench.time }
            #expect(!times.isEmpty && times.allSatisfy { $0.stats[.mean] != nil })
            // Only bench.py::test_sleep_2 (5 rounds) kept all of its data: those are its samples.
            for t in times {
                #expect((t.distribution?.count == 5) == (t.key.endpoint == "bench.py::test_sleep_2"), "\(t.key)")
            }
        }
    }

    // MARK: files that are not one run

    @Test func benchstatOutputIsRefusedNamingWhatToIngestInstead() throws {
        for path in ["corpus/go-bench/benchstat-crcOldNew.stdout", "corpus/go-bench/benchstat-csvOldNew.stdout"] {
            do {
                _ = try InputFormat.detect(ingestFixture(path))
                Issue.record("\(path) must not be claimed")
            } catch IngestError.unknownFormat(let p, let looksLike) {
                #expect(p == path && looksLike.hasPrefix("benchstat output") && looksLike.contains("format go-bench"), "\(looksLike)")
            }
        }
    }

    // MARK: Criterion.rs

    let criterionDir = "corpus/criterion/book-Fibonacci-Iterative"

    func criterion(_ sub: String, companions: [String] = ["sample"]) throws -> IngestedRun {
        let file = ingestFixture("\(criterionDir)/\(sub)/estimates.json")
        #expect(try InputFormat.detect(file) == .criterion)
        var set = InputSet(primary: file)
        for role in companions {
            let name = role == "sample" ? "sample.json" : "benchmark.json"
            set.companions[role] = ingestFixture("\(criterionDir)/\(sub)/\(name)")
        }
        return try CriterionAdapter().parse(set)
    }

    @Test func criterionEstimatesWithSamplesMatchCriterionsOwnPointEstimates() throws {
        let run = try criterion("new")
        let t = try #require(run.series(SeriesKey(endpoint: "book-Fibonacci-Iterative", metric: Microbench.time)))
        // Criterion's estimates (ns per iteration) as written in estimates.json.
        #expect(t.stats[.mean] == 4.723173110355467 / 1e6 && t.stats[.p50] == 4.670911442470985 / 1e6)
        #expect(t.stats[.count] == 100 && t.stats[Microbench.iterations] == 1_057_742_700)
        // The 100 samples (times / iters) give Criterion's mean and median again.
        let sample = try CriterionAdapter.samples(try JSONNode.parse(try ingestFixture("\(criterionDir)/new/sample.json").readAll(), file: "s"))
        let own = Microbench.series(benchmark: "x", metric: "time", unit: .milliseconds, direction: .lowerIsBetter, samples: sample.values)
        #expect(close(own.stats[.mean], 4.723173110355467 / 1e6, rel: 1e-12) && close(own.stats[.p50], 4.670911442470985 / 1e6, rel: 1e-12))
        // benchmark.json names it by its full id.
        let base = try criterion("base", companions: ["sample", "benchmark"])
        #expect(base.series.first?.key.endpoint == "Fibonacci/Iterative")
    }

    /// `benchmark.json`, `tukey.json` and `change/estimates.json` given alone stand for their run:
    /// the `estimates.json` beside them (for `change/`, `new/`), read with its siblings; without it
    /// the error names the path to pass.
    @Test func criterionSiblingFilesGivenAloneReadTheRunTheyBelongTo() throws {
        func alone(_ sub: String) throws -> IngestedRun {
            let file = ingestFixture("\(criterionDir)/\(sub)")
            #expect(try InputFormat.detect(file) == .criterion, "\(sub)")
            return try CriterionAdapter().parse(InputSet(primary: file))
        }
        // base/: Criterion's saved baseline (estimates.json Mean 4.723173110355467 ns, Median 4.670911442470985 ns),
        // named by benchmark.json's full_id.
        for sub in ["base/benchmark.json", "base/tukey.json"] {
            let t = try #require(try alone(sub).series.first, "\(sub)")
            #expect(t.key.endpoint == "Fibonacci/Iterative" && t.stats[.count] == 100, "\(sub)")
            #expect(t.stats[.mean] == 4.723173110355467 / 1e6 && t.stats[.p50] == 4.670911442470985 / 1e6, "\(sub)")
        }
        // change/ describes new/ against base/: the run is new/ (no benchmark.json there: named by its directory).
        let t = try #require(try alone("change/estimates.json").series.first)
        #expect(t.key.endpoint == "book-Fibonacci-Iterative" && t.stats[.count] == 100 && t.stats[Microbench.iterations] == 1_057_742_700)
        #expect(t.stats[.mean] == 4.723173110355467 / 1e6 && t.stats[.p50] == 4.670911442470985 / 1e6)
        // Copied out of its directory, the file names the estimates.json to pass.
        let dir = makeTemporaryDirectory()
        for (sub, what) in [("base/benchmark.json", "benchmark.json"), ("base/tukey.json", "tukey.json")] {
            let copy = dir.appendingPathComponent(what)
            try FileManager.default.copyItem(at: Fixtures.url("\(criterionDir)/\(sub)", target: "PerfgateIngestTests"), to: copy)
            let e = location { _ = try CriterionAdapter().parse(InputSet(primary: InputFile(path: copy.path))) }
            #expect(e?.1.contains("Criterion's \(what)") == true && e?.1.contains(dir.appendingPathComponent("estimates.json").path) == true, "\(String(describing: e))")
        }
        let change = location { _ = try CriterionAdapter().parse(InputSet(primary: InputFile(data: Data("{}".utf8), displayPath: "x/change/estimates.json"))) }
        #expect(change?.1.contains("not a run") == true && change?.1.contains("x/new/estimates.json") == true, "\(String(describing: change))")
    }

    @Test func criterionSampleJSONStandsAlone() throws {
        let file = ingestFixture("\(criterionDir)/new/sample.json")
        #expect(try InputFormat.detect(file) == .criterion)
        let alone = try CriterionAdapter().parse(InputSet(primary: file))
        #expect(alone.series.first?.stats[.count] == 100 && alone.series.first?.key.endpoint == "book-Fibonacci-Iterative")
    }

    @Test func bencherTextLinesAreMediansInNanoseconds() throws {
        let run = try parse(.bencherText, "corpus/criterion/gab-criterion_output.txt")
        #expect(run.series.count == 4)
        #expect(stat(run, "Create Realm", Microbench.time, .p50) == 329 / 1e6)
        #expect(stat(run, "Fibonacci (Execution)", Microbench.time, .p50) == 1_672_496 / 1e6)
        #expect(stat(run, "Fibonacci (Execution)", Microbench.time, .stddev) == 10_166 / 1e6)
        let libtest = try parseText(.bencherText, "test bench_add ... bench:       1,234 ns/iter (+/- 56)\n")
        #expect(stat(libtest, "bench_add", Microbench.time, .p50) == 1234 / 1e6)
        let bad = location { _ = try parseText(.bencherText, "test a ... bench: 12 ns/iter (+/- 1)\ntest b ... bench: x ns/iter (+/- 1)\n") }
        #expect(bad?.0.line == 2 && bad?.1.contains("\"x\" is not a number") == true)
    }

    // MARK: package-benchmark, BMF

    @Test func packageBenchmarkP90ThresholdFilesAreP90sOfTheirBenchmark() throws {
        let run = try parse(.packageBenchmarkP90, "corpus/package-benchmark/P90AbsoluteThresholdsBenchmark.P90Malloc.p90.json")
        #expect(run.tags["target"] == "P90AbsoluteThresholdsBenchmark")
        #expect(stat(run, "P90Malloc", "mallocCountTotal", .p90) == 1012 && stat(run, "P90Malloc", "syscalls", .p90) == 6)
        #expect(run.series(SeriesKey(endpoint: "P90Malloc", metric: "syscalls"))?.unit == .count)
        let date = try parse(.packageBenchmarkP90, "corpus/package-benchmark/P90AbsoluteThresholdsBenchmark.P90Date.p90.json")
        #expect(stat(date, "P90Date", "mallocCountTotal", .p90) == 0)
        let wall = try parseText(.packageBenchmarkP90, #"{ "wallClock" : 1500000, "throughput" : 650 }"#, "Bench.Parse.p90.json")
        #expect(stat(wall, "Parse", "wallClock", .p90) == 1.5 && wall.series(SeriesKey(endpoint: "Parse", metric: "throughput"))?.direction == .higherIsBetter)
        let renamed = location { _ = try parseText(.packageBenchmarkP90, #"{ "syscalls" : 2 }"#, "thresholds.json") }
        #expect(renamed?.1.contains("<target>.<benchmark>.p90.json") == true)
    }

    @Test func bmfMeasuresAreNormalisedAndBoundsKept() throws {
        // The example of Bencher's BMF documentation, with a throughput measure added.
        let text = """
            {
              "benchmark_name": {
                "latency": { "value": 88.0, "lower_value": 87.42, "upper_value": 88.88 },
                "throughput": { "value": 5000 }
              }
            }
            """
        #expect(try InputFormat.detect(inline(text, "bmf.json")) == .bmf)
        let run = try parseText(.bmf, text, "bmf.json")
        let latency = try #require(run.series(SeriesKey(endpoint: "benchmark_name", metric: Microbench.time)))
        #expect(latency.unit == .milliseconds && latency.stats[.mean] == 88 / 1e6)
        #expect(latency.stats[Statistic(rawValue: "upper_value")] == 88.88 / 1e6)
        #expect(run.series(SeriesKey(endpoint: "benchmark_name", metric: "throughput"))?.direction == .higherIsBetter)
        let typo = location { _ = try parseText(.bmf, #"{"b": {"latency": {"value": 1, "uper_value": 2}}}"#) }
        #expect(typo?.0.jsonPath == "b.latency.uper_value" && typo?.1.contains("did you mean \"upper_value\"") == true)
        let inverted = location { _ = try parseText(.bmf, #"{"b": {"latency": {"value": 1, "lower_value": 3, "upper_value": 2}}}"#) }
        #expect(inverted?.0.jsonPath == "b.latency")
    }

    @Test func microbenchmarkFilesNotReadYetSayWhatToExportInstead() throws {
        let cases: [(String, String, String)] = [
            ("", #"{"Time":"2026-01-01T00:00:00Z","Action":"output","Package":"p","Output":"PASS\n"}"# + "\n" + #"{"Time":"2026-01-01T00:00:00Z","Action":"pass","Package":"p"}"#, "`go test -json` events without benchmark"),
            ("", "command,mean,stddev,median,user,system,min,max\nsleep 1,1.0,0.0,1.0,0.0,0.0,1.0,1.0\n", "hyperfine --export-csv"),
            ("", "name,iterations,real_time,cpu_time,time_unit,bytes_per_second\nBM_x,10,1,1,ns,\n", "Google Benchmark CSV"),
            ("", #"[{"benchmark": "x", "mode": "thrpt", "primaryMetric": {"score": 1}}]"#, "JMH JSON"),
        ]
        for (path, text, expected) in cases {
            let file = path.isEmpty ? inline(text, "out") : ingestFixture(path)
            do {
                _ = try InputFormat.detect(file)
                Issue.record("\(expected) must not be claimed")
            } catch IngestError.unknownFormat(_, let looksLike) {
                #expect(looksLike.hasPrefix(expected), "\(looksLike)")
            }
        }
    }
    // MARK: the whole corpus of the family

    /// Every corpus file of the microbenchmark family either ingests in its format or is refused
    /// with what it is and what to ingest instead (benchstat tables, naming the files they compared;
    /// a compare.py fixture without times, naming the missing key); nothing is left to "unknown
    /// result format".
    @Test func everyCorpusFileOfTheFamilyIngestsOrIsRefusedSayingWhy() throws {
        let refused: [String: String] = [
            "go-bench/benchstat-crcOldNew.stdout": "ingest the `go test -bench` files it read (crc-old.txt, crc-new.txt) (format go-bench)",
            "go-bench/benchstat-csvOldNew.stdout": "ingest the `go test -bench` files it read (old.txt, new.txt) (format go-bench)",
            "google-benchmark/gbench-test4_run.json": "real_time: missing required key",
        ]
        var ingested = 0
        for folder in ["hyperfine", "go-bench", "google-benchmark", "pytest-benchmark", "criterion", "package-benchmark"] {
            let root = Fixtures.url("corpus/\(folder)", target: "PerfgateIngestTests")
            let files = FileManager.default.enumerator(atPath: root.path)!.compactMap { $0 as? String }
                .filter { rel in
                    var isDir: ObjCBool = false
                    _ = FileManager.default.fileExists(atPath: root.appendingPathComponent(rel).path, isDirectory: &isDir)
                    return !isDir.boolValue && !rel.hasSuffix("SOURCES.md")
                }
            for rel in files.sorted() {
                let key = "\(folder)/\(rel)"
                let file = ingestFixture("corpus/\(key)")
                do {
                    let format = try InputFormat.detect(file)
                    var set = InputSet(primary: file)
                    let sample = "corpus/\(key)".replacingOccurrences(of: "estimates.json", with: "sample.json")
                    if format == .criterion, rel.hasSuffix("estimates.json"),
                        FileManager.default.fileExists(atPath: Fixtures.url(sample, target: "PerfgateIngestTests").path)
                    {
                        set.companions["sample"] = ingestFixture(sample)
                    }
                    let run = try format.adapter.parse(set)
                    #expect(refused[key] == nil, "\(key) should have been refused")
                    #expect(!run.series.isEmpty, "\(key)")
                    ingested += 1
                } catch let e as IngestError {
                    let why = try #require(refused[key], "\(key): \(e)")
                    #expect(e.description.contains(why), "\(key): \(e)")
                }
            }
        }
        #expect(ingested == 24, "ingested \(ingested) files")
    }
}
