import Foundation
import Testing

/// Compares `actual` with the golden file `Tests/<target>/Golden/<name>`. When the file is missing or
/// `PERFGATE_RECORD=1` is set, it writes the file and records an issue so the run fails once
/// ("recorded new golden; re-run"), in the manner of ArgumentParser's snapshot helper.
public func assertGolden(
    _ actual: String, named name: String, target: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let url = Fixtures.repositoryRoot.appendingPathComponent("Tests/\(target)/Golden/\(name)")
    let record = ProcessInfo.processInfo.environment["PERFGATE_RECORD"] == "1"
    guard !record, let expected = try? String(contentsOf: url, encoding: .utf8) else {
        try? FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? actual.write(to: url, atomically: true, encoding: .utf8)
        Issue.record(Comment(rawValue: "recorded new golden \(name); re-run the tests"), sourceLocation: sourceLocation)
        return
    }
    if expected != actual {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var diff: [String] = []
        for i in 0..<max(e.count, a.count) where diff.count < 20 {
            let el = i < e.count ? String(e[i]) : "<none>"
            let al = i < a.count ? String(a[i]) : "<none>"
            if el != al { diff.append("line \(i + 1):\n  - \(el)\n  + \(al)") }
        }
        let report = diff.joined(separator: "\n")
        Issue.record(
            Comment(rawValue: "golden \(name) differs (PERFGATE_RECORD=1 to re-record):\n\(report)"),
            sourceLocation: sourceLocation)
    }
}

/// A fresh temporary directory, removed by the caller when done.
public func makeTemporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("perfgate-test-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
