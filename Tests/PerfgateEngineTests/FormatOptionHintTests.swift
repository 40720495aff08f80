import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateIngest
import PerfgateTestSupport
import Testing

/// Hints name the option the way the command spells it.
@Suite("format option in hints")
struct FormatOptionHintTests {
    @Test func anAmbiguousFormatNamesTheCommandsOwnOption() throws {
        let error = IngestError.ambiguousFormat(path: "r.json", formats: [.k6Summary, .k6HandleSummary])
        #expect(error.diagnostic.notes == ["name the format with --format k6-summary"])
        let check = IngestPipeline(
            format: nil, formatFlag: "--input-format", commits: .fixed(CommitInfo(sha: "0000000", branch: "main")), scenario: nil,
            environmentOverride: nil, defaultEnvironment: "test", tags: [:], clock: FixedWallClock(Date(timeIntervalSince1970: 0)), perfgateVersion: "test", events: .discarded)
        let respelled = try #require(check.respell(error) as? any DiagnosableError)
        #expect(respelled.diagnostic.notes == ["name the format with --input-format k6-summary"])
        #expect(respelled.exitStatus == .malformedInput)
    }
}
