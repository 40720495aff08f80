import Foundation
import PerfgateCore

/// The records after a CSV file's header, parsed on several threads: blocks of whole lines
/// (``ParallelBlocks``), each into a parser of its own made by `make`, handed to `merge` in file order
/// with the number of lines before the block (a block's line numbers, and its errors', start at 1).
/// The JMeter CSV JTL and k6 CSV readers run on it.
///
/// A quoted field that spans lines (a multi-line failure message) can straddle two blocks; then
/// ``run(_:delimiter:blockSize:make:record:merge:)`` stops merging and returns false, and the caller
/// parses the file again serially (with ``CSVReader``), which is always correct. The first error of a
/// block, in file order, is thrown with its line in the file.
enum ParallelCSV {
    static func run<Parser>(
        _ file: InputFile, delimiter: UInt8, blockSize: Int,
        make: @escaping @Sendable () -> Parser,
        record: @escaping @Sendable (inout Parser, CSVRecord, Int) throws -> Void,
        merge: (Parser, _ linesBefore: Int) throws -> Void
    ) throws -> Bool {
        var index = 0
        var linesBefore = 0
        var straddles = false
        try ParallelBlocks.run(
            file, blockSize: blockSize,
            job: { bytes -> (Int, [UInt8]) in
                defer { index += 1 }
                return (index, bytes)
            },
            work: { job in
                let (i, bytes) = job
                let result = BlockResult(parser: make())
                var state = RawCSVState(delimiter: delimiter)
                do {
                    result.lines = try InputFile.forEachLine(in: bytes, after: 0) { line, number in
                        // The first block starts with the header, which the caller has read.
                        if i == 0 && number == 1 { return }
                        try state.feed(line, number) { r, n in try record(&result.parser, r, n) }
                    }
                } catch {
                    result.error = error
                }
                result.endsInQuotes = state.inQuotes
                return result
            },
            merge: { _, result in
                guard !straddles else { return }
                if result.endsInQuotes {
                    straddles = true
                    return
                }
                if let error = result.error {
                    throw (error as? IngestError)?.shiftingLines(by: linesBefore) ?? error
                }
                try merge(result.parser, linesBefore)
                linesBefore += result.lines
            })
        return !straddles
    }

    /// One block's parse: its records in a parser of its own, or the error on a line of the block.
    private final class BlockResult<Parser>: @unchecked Sendable {
        var parser: Parser
        var error: (any Error)?
        var lines = 0
        var endsInQuotes = false
        init(parser: Parser) { self.parser = parser }
    }

    /// The header (the first line) of `file` as a record, through `body`; false when it is a quoted
    /// field spanning lines (then the caller reads the whole file serially).
    static func header(_ file: InputFile, delimiter: UInt8, _ body: (CSVRecord) throws -> Void) throws -> Bool {
        var state = RawCSVState(delimiter: delimiter)
        var firstLine: [UInt8] = Array(Sniff.firstLine(file.head(1 << 20)).utf8)
        try firstLine.withUnsafeMutableBufferPointer { line in
            try state.feed(UnsafeBufferPointer(line), 1) { r, _ in try body(r) }
        }
        return !state.inQuotes
    }
}
