import Foundation
import PerfgateTestSupport
import Testing

/// Every command perfgate suggests works when pasted: the "Try next" lines `perfgate demo` prints,
/// and every `perfgate …` hint written in backticks in the sources (error notes, help texts). The
/// hints are collected from the source files, so a new one fails this test until it is added to
/// `hints` below with a way to run it.
@Suite("suggested commands work", .serialized)
struct SuggestedCommandsTests {
    let dir = makeTemporaryDirectory()

    /// Runs a command line as a shell would (the demo quotes globs and SQL), with `perfgate` the
    /// built binary, in the test directory.
    func shell(_ line: String) throws -> PerfgateProcess.Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", line]
        p.currentDirectoryURL = dir
        var env = ["PATH": PerfgateProcess.executable.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "HOME": dir.path]
        env["GIT_CONFIG_NOSYSTEM"] = "1"
        p.environment = env
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return PerfgateProcess.Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Exit codes that mean "the suggestion did not work": a bug, usage, missing input, store error.
    static let broken: Set<Int32> = [1, 64, 66, 74]

    @Test func everyTryNextLineOfTheDemoWorks() throws {
        let demo = try shell("perfgate demo")
        #expect(demo.status == 0, "\(demo)")
        let lines = demo.stdout.components(separatedBy: "Try next:").last?.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("perfgate ") } ?? []
        #expect(lines.count >= 6, "\(demo.stdout)")
        for line in lines {
            let r = try shell(line)
            // check exits 2 here on purpose (the demo's newest commit regressed); everything else 0.
            let expected: Int32 = line.hasPrefix("perfgate check") ? 2 : 0
            #expect(r.status == expected, "\(line)\n\(r)")
        }
    }

    /// The backticked hints in the sources, as written there, and how to run each in a directory
    /// holding the demo store (`d/h.sqlite`), a results folder and a budget file. `\(…)` in a hint is the
    /// value perfgate fills in; UPPERCASE words are for the user to fill in.
    static let hints: [String: (args: String, expected: Set<Int32>)] = [
        "perfgate demo": ("perfgate demo --store demo2/h.sqlite", [0]),
        "perfgate runs --store \\(storePath)": ("perfgate runs --store d/h.sqlite", [0]),
        "perfgate runs --store \\(store.path)": ("perfgate runs --store d/h.sqlite", [0]),
        "perfgate runs --store \\(store.shellLocation)": ("perfgate runs --store d/h.sqlite", [0]),
        "perfgate check --budget budgets.json results/": ("perfgate check --budget budgets.json results/ --store d/h.sqlite --commit 0123456789abcdef0123456789abcdef01234567 --branch main", [0, 2]),
        "perfgate templates export DIR": ("perfgate templates export tpl", [0]),
        "perfgate import": ("perfgate export --store d/h.sqlite --out h.json && perfgate import h.json --store copy.sqlite", [0]),
        "perfgate export": ("perfgate export --store d/h.sqlite --out h2.json", [0]),
        "perfgate check": ("perfgate check --budget budgets.json results/ --store d/h.sqlite --commit 0123456789abcdef0123456789abcdef01234567 --branch main", [0, 2]),
        "perfgate report --templates DIR": ("perfgate templates export tpl2 && perfgate report --store d/h.sqlite --templates tpl2 --out site", [0]),
        "perfgate query": ("perfgate query --store d/h.sqlite 'SELECT count(*) AS n FROM runs'", [0]),
        "perfgate ingest FILE…": ("perfgate ingest results/k6.json --store new.sqlite --commit 0123456789abcdef0123456789abcdef01234567 --branch main", [0]),
        // The report's compare and release pages name the comparison behind their cells (the demo's last two commits).
        "perfgate compare \\(ca.shortSha) \\(cb.shortSha) --metric METRIC": ("perfgate compare 62910f32 70a336e6 --store d/h.sqlite --metric http_req_duration", [0]),
        "perfgate compare \\(r.from.shortSha) \\(r.to.shortSha)": ("perfgate compare 62910f32 70a336e6 --store d/h.sqlite", [0]),
        // Capacity (docs/capacity.md): the demo's commits each have one load level, so the knee is "not measured".
        "perfgate capacity": ("perfgate capacity --store d/h.sqlite", [0]),
        "perfgate capacity --budget \\(budget)": ("perfgate capacity --budget capacity.json --store d/h.sqlite", [0]),
        "perfgate ingest FILE --profile NAME": ("perfgate ingest results/k6.json --profile peak --store new3.sqlite --commit 0123456789abcdef0123456789abcdef01234567 --branch main", [0]),
        // ingest of a Prometheus file that overlaps no run, and --attach-to with an unknown id (docs/server-metrics.md).
        "perfgate runs": ("perfgate runs --store d/h.sqlite", [0]),
        // Lists every error of a bad budget file: exit 65 is its answer.
        "perfgate budgets validate \\(first.location?.file ?? \"FILE\")": ("perfgate budgets validate bad.json", [65]),
    ]

    /// Every backticked `perfgate …` in a Swift string or help text under Sources/.
    static func hintsInSources() throws -> Set<String> {
        let root = Fixtures.repositoryRoot.appendingPathComponent("Sources")
        var found = Set<String>()
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        let pattern = try NSRegularExpression(pattern: "`(perfgate [^`]+)`")
        for f in files {
            let text = try String(contentsOf: root.appendingPathComponent(f), encoding: .utf8)
            for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") {
                let s = String(line)
                for m in pattern.matches(in: s, range: NSRange(s.startIndex..., in: s)) {
                    if let r = Range(m.range(at: 1), in: s) { found.insert(String(s[r])) }
                }
            }
        }
        return found
    }

    @Test func everyHintInTheSourcesIsKnownHere() throws {
        let found = try Self.hintsInSources()
        #expect(found.count >= 8, "\(found)")
        let unknown = found.subtracting(Self.hints.keys)
        #expect(unknown.isEmpty, "new suggestions perfgate prints: add them to SuggestedCommandsTests.hints with a way to run them: \(unknown.sorted())")
    }

    @Test func everyHintInTheSourcesWorks() throws {
        // The demo store, a results folder with a real k6 summary and a budget file that fits it.
        let demo = try shell("perfgate demo --store d/h.sqlite")
        #expect(demo.status == 0, "\(demo)")
        let results = dir.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Fixtures.url("generated/k6/summary-export.json", target: "PerfgateIngestTests"), to: results.appendingPathComponent("k6.json"))
        try Data(#"{"version": 1, "budgets": [{"endpoint": "/api/*", "max": {"p95": "2s"}}]}"#.utf8).write(to: dir.appendingPathComponent("budgets.json"))
        try Data(#"{"versoin": 1, "budgets": [{"mx": {}}]}"#.utf8).write(to: dir.appendingPathComponent("bad.json"))
        try Data(#"{"version": 1, "capacity": {"knee": "-10%"}}"#.utf8).write(to: dir.appendingPathComponent("capacity.json"))
        let found = try Self.hintsInSources()
        for (hint, run) in Self.hints.sorted(by: { $0.key < $1.key }) where found.contains(hint) {
            let r = try shell(run.args)
            #expect(run.expected.contains(r.status) && !Self.broken.contains(r.status), "`\(hint)` as `\(run.args)`: \(r)")
        }
    }
}
