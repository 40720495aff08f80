import Foundation
import PerfgateCore
import PerfgateIngest
import Testing

@testable import PerfgateCLI

/// The console renderers on their own: the progress bar's frame and word wrapping of the check table.
@Suite("terminal rendering")
struct TerminalRenderingTests {
    @Test func aProgressFrameShowsDoneOfTotalRateAndETA() {
        let mb: Int64 = 1 << 20
        let line = ProgressBar.line(label: "k6.ndjson.gz", done: 120 * mb, total: 300 * mb, elapsed: 2)
        #expect(line.hasPrefix("k6.ndjson.gz "), "\(line)")
        #expect(line.contains(" 40% 120/300 MB 60.0 MB/s ETA 3s"), "\(line)")
        let start = ProgressBar.line(label: "x", done: 0, total: 10 * mb, elapsed: 0)
        #expect(start.contains("0% 0/10 MB") && start.contains("ETA"), "\(start)")
    }

    @Test func durationsReadLikeClocks() {
        #expect(ProgressBar.duration(0.2) == "1s")
        #expect(ProgressBar.duration(125) == "2m05s")
        #expect(ProgressBar.duration(3720) == "1h02m")
    }

    @Test func wrappingKeepsEveryLineWithinTheWidth() {
        let text = (1...40).map { "word\($0)" }.joined(separator: " ")
        let lines = CheckTable.wrap(text, width: 50, indent: "    ", first: "    ")
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.count <= 50 && $0.hasPrefix("    ") }, "\(lines)")
        #expect(lines.joined(separator: " ").split(separator: " ").map(String.init) == text.split(separator: " ").map(String.init))
    }
}
