import Foundation

/// The sizes perfgate refuses to go past, in one place. Each is enforced where the bytes are read
/// (while streaming, so a file over a limit costs no more memory than one under it) and each
/// exceeded limit is one error naming the file and line or JSON path, exit 65. README "Limits" and
/// docs/limits.md explain the numbers; change them here and there together.
public enum Limits {
    /// Longest line of a line format (k6 NDJSON, also inside .gz; k6 CSV; Locust CSV), in bytes
    /// without the terminator. Real k6 point lines are 200–600 bytes and CSV rows shorter; 1 MiB
    /// leaves room for hundreds of tags while keeping a line reader's buffer small.
    public static let maxLineBytes = 1 << 20

    /// Longest name, in UTF-8 bytes: endpoint, metric, tag key and value, check, threshold metric.
    /// Longer than any URL a server accepts by default (nginx: 4–8 KiB headers, most paths far
    /// shorter); a longer "name" is a generated value, not a name to gate on.
    public static let maxNameBytes = 4096

    /// Most series one run may hold. A series is a stored row, a baseline comparison in every check
    /// and a chart in every report; 10,000 is 20× the largest real suite we know of (a k6 test with
    /// ~100 named endpoints × 4 metrics, a Google Benchmark binary with a few hundred cases). More
    /// means unbounded tag cardinality, typically URLs with ids as k6 `name` tags, which would make
    /// every later check and report slow and the store grow without bound: group them with a `name`
    /// tag instead.
    public static let maxSeriesPerRun = 10_000

    /// Largest budget file. Budget files are written by hand: 4 MiB is about 20,000 rules.
    public static let maxBudgetFileBytes = 4 << 20

    /// Largest history file `import` reads. An export of 1,000 runs of 500 series is about 100 MB.
    public static let maxHistoryFileBytes = 512 << 20

    /// Largest JSON result document (Google Benchmark, hyperfine, k6 summary, native...), decompressed.
    public static let maxDocumentBytes = 1 << 30

    /// A byte count for messages: "1 MiB", "4096 bytes".
    public static func describe(_ bytes: Int) -> String {
        if bytes >= 1 << 30, bytes % (1 << 30) == 0 { return "\(bytes >> 30) GiB" }
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    /// The error for a file over `limit` bytes, or nil when it is not (or its size is unknown).
    /// Checked before the file is read, so an oversized file costs nothing.
    public static func fileSizeError(path: String, limit: Int, what: String) -> PerfgateError? {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value,
            size > Int64(limit)
        else { return nil }
        return PerfgateError(
            .malformedInput, "\(what) is too large (\(size) bytes; the limit is \(describe(limit)))",
            at: SourceLocation(file: path), notes: ["see \"Limits\" in the README"])
    }
}
