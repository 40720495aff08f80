import Foundation
import PerfgateTestSupport
import Testing

/// The replay harness (`ci/replay.py replay`) over the committed fixtures
/// (`Tests/PerfgateCLITests/Fixtures/replay/`, real k6 and Locust runs of a 14-commit CI history):
/// every (input flavour, commit) must be scored ok — no false alarm, no missed regression, no
/// failed improvement, no wrong exit code. See ci/README.md, "Replay harness".
///
/// `PERFGATE_REPLAY_EXPECT_FAILURES=1` relaxes this to "the replay ran end to end and every exit
/// code is 0 or 2" (for while the gate is known to mis-score some cells).
@Suite("replay harness", .serialized)
struct ReplayHarnessTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The first executable `name` on PATH.
    static func tool(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static var toolsAvailable: Bool { tool("python3") != nil && tool("git") != nil }

    struct Row {
        var flavour, commit, klass, expected, exit, failing, warned, outcome, detail: String
        var text: String {
            "\(flavour) \(commit) (\(klass), expect \(expected)): exit \(exit), \(outcome)"
                + (detail.isEmpty ? "" : ": \(detail)") + (warned.isEmpty ? "" : "; warned: \(warned)")
        }
    }

    @Test(
        "every commit of every flavour is scored ok",
        .enabled(if: toolsAvailable, "skipped: the replay harness needs python3 and git on PATH"))
    func replay() throws {
        let python = try #require(Self.tool("python3"))
        let dir = makeTemporaryDirectory()
        let tsv = dir.appendingPathComponent("replay.tsv")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [
            Self.root.appendingPathComponent("ci/replay.py").path, "replay", "--perfgate", PerfgateProcess.executable.path,
            "--tsv", tsv.path, "--no-fail",
        ]
        p.currentDirectoryURL = dir
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // Read both pipes concurrently: either may fill up while the other is being read.
        nonisolated(unsafe) var errData = Data()
        let reader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while !reader.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        let table = String(decoding: outData, as: UTF8.self)
        let stderr = String(decoding: errData, as: UTF8.self)
        try #require(p.terminationStatus == 0, "ci/replay.py broke (exit \(p.terminationStatus)):\n\(table)\n\(stderr)")

        let lines = try String(contentsOf: tsv, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("flavour\tcommit\tclass\texpected\texit") == true)
        let rows = lines.dropFirst().map { line -> Row in
            var f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            while f.count < 9 { f.append("") }
            return Row(
                flavour: f[0], commit: f[1], klass: f[2], expected: f[3], exit: f[4], failing: f[5], warned: f[6],
                outcome: f[7], detail: f[8])
        }
        // 4 flavours x 14 commits.
        #expect(rows.count == 56, "expected 56 rows, got \(rows.count)\n\(table)")

        let broken = rows.filter { $0.exit != "0" && $0.exit != "2" }
        if !broken.isEmpty {
            Issue.record("perfgate exited neither 0 nor 2:\n\(broken.map(\.text).joined(separator: "\n"))\n\n\(table)")
        }

        if ProcessInfo.processInfo.environment["PERFGATE_REPLAY_EXPECT_FAILURES"] == "1" { return }
        let bad = rows.filter { $0.outcome != "ok" }
        if !bad.isEmpty {
            let list = bad.map(\.text).joined(separator: "\n")
            Issue.record("\(bad.count) of \(rows.count) replayed checks are not ok (tolerated with PERFGATE_REPLAY_EXPECT_FAILURES=1):\n\(list)\n\n\(table)")
        }
    }
}
