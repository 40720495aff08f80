import Foundation
import PerfgateTestSupport
import Testing

/// Every file of the public corpus (`Fixtures/corpus`, a copy of `corpus/public`), given to the built
/// binary on its own: it is stored as a run, or it is one of the files below that hold no run, refused
/// with exit 65, what it is and what to ingest instead, and the store is left byte-identical.
@Suite("the whole corpus, file by file", .serialized)
struct CorpusSweepEndToEndTests {
    let dir = makeTemporaryDirectory()
    var store: String { dir.appendingPathComponent("sweep.sqlite").path }
    let commitArgs = ["--commit", String(repeating: "5e", count: 20), "--branch", "main", "--environment", "sweep"]

    /// The files that are not a run, and the way forward each refusal must name.
    static let refused: [String: String] = [
        "gatling/gatling-repo-known_stats/simulation.log.bin": "ingest the report's js/stats.json",
        "gatling/lomap-es3c-loadTestResult/js/assertions.json": "ingest js/stats.json or simulation.log",
        "gatling/orangehrm-ohrmadminlogin-20230801155648090/js/assertions.json": "ingest js/stats.json or simulation.log",
        "gatling/orangehrm-ohrmadminlogin-20230801155648090/js/assertions.xml": "ingest the run's result file",
        "gatling/orangehrm-ohrmbuzzfeature-20230909160457860/js/assertions.json": "ingest js/stats.json or simulation.log",
        "gatling/orangehrm-ohrmbuzzfeature-20230909160457860/js/assertions.xml": "ingest the run's result file",
        "go-bench/benchstat-crcOldNew.stdout": "ingest the `go test -bench` files it read (crc-old.txt, crc-new.txt)",
        "go-bench/benchstat-csvOldNew.stdout": "ingest the `go test -bench` files it read (old.txt, new.txt)",
        "google-benchmark/gbench-test4_run.json": "benchmarks[0].real_time: missing required key",
    ]

    @Test func everyCorpusFileIsARunOrIsRefusedWithTheWayForward() throws {
        let root = Fixtures.url("corpus", target: "PerfgateIngestTests")
        let files = (FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []).filter { rel in
            var isDir: ObjCBool = false
            let name = (rel as NSString).lastPathComponent
            return FileManager.default.fileExists(atPath: root.appendingPathComponent(rel).path, isDirectory: &isDir)
                && !isDir.boolValue && name != "SOURCES.md" && name != "README.md"
        }.sorted()
        #expect(files.count == 77, "\(files.count) corpus files")
        var stored = 0
        for (i, rel) in files.enumerated() {
            let before = FileManager.default.contents(atPath: store)
            let r = try PerfgateProcess.run(
                ["ingest", root.appendingPathComponent(rel).path, "--store", store, "--scenario", "f\(i)"] + commitArgs, in: dir)
            if let forward = Self.refused[rel] {
                #expect(r.status == 65 && r.stderr.contains(forward), "\(rel): \(r)")
                #expect(FileManager.default.contents(atPath: store) == before, "\(rel) changed the store")
            } else {
                #expect(r.status == 0 && r.stdout.contains("stored run"), "\(rel): \(r)")
                stored += 1
            }
        }
        #expect(stored == files.count - Self.refused.count)
    }
}
