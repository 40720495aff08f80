import Foundation
import PerfgateCore
import PerfgateTestSupport
import Testing

@testable import PerfgateIngest

/// Shared helpers of the k6 adapter tests.
enum K6T {
    static func url(_ relative: String) -> URL { Fixtures.url(relative, target: "PerfgateIngestTests") }

    static func file(_ relative: String) -> InputFile { InputFile(path: url(relative).path, displayPath: relative) }

    static func parse(_ format: InputFormat, _ relative: String) throws -> IngestedRun {
        try format.adapter.parse(InputSet(primary: file(relative)))
    }

    static func parse(_ format: InputFormat, bytes: [UInt8], name: String = "mem.ndjson") throws -> IngestedRun {
        try format.adapter.parse(InputSet(primary: InputFile(data: Data(bytes), displayPath: name)))
    }

    /// The location of the malformed-input error `body` throws.
    static func errorLocation(_ body: () throws -> Void) -> (PerfgateCore.SourceLocation, String)? {
        do {
            try body()
        } catch let IngestError.malformed(loc, msg) {
            return (loc, msg)
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    static func stat(_ run: IngestedRun, _ endpoint: String, _ metric: String, _ s: Statistic) -> Double? {
        run.series(SeriesKey(endpoint: endpoint, metric: metric))?.stats[s]
    }

    static func close(_ a: Double?, _ b: Double?, rel: Double) -> Bool {
        guard let a, let b else { return false }
        if a == b { return true }
        return abs(a - b) <= rel * max(abs(a), abs(b))
    }
}
