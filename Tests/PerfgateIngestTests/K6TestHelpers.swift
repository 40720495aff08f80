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

    /// `data` compressed by the system's gzip.
    static func gzip(_ data: Data) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-c"]
        let input = Pipe()
        let output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        // Feed stdin on another thread so a full stdout pipe cannot stall the writer.
        let writer = Thread {
            input.fileHandleForWriting.write(data)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return out
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
