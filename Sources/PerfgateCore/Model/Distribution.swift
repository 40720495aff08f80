import Foundation
import Histogram

/// A mergeable, bounded-size distribution of one series in one run: an HDR histogram with two
/// significant digits (every recorded value is kept within 1 % of itself), in integer micro-units of
/// the series unit (µs for milliseconds).
///
/// Its size depends only on the value range, never on the number of requests, so a 10 GB k6 file
/// stores a few kilobytes per endpoint. Two runs can be compared as distributions (Mann–Whitney on
/// the bucket values with ties), and runs can be merged with ``merge(_:)``.
public struct Distribution: Sendable, Hashable, Codable {
    /// Values are recorded as `UInt64(value * scale)`.
    public static let scale: Double = 1000

    private(set) var histogram: Histogram<UInt64>

    public init() {
        histogram = Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: 1 << 20, numberOfSignificantValueDigits: .two)
        histogram.autoResize = true
    }

    /// Records one value. Negative and non-finite values are not recordable and return false.
    @discardableResult
    public mutating func record(_ value: Double, count: UInt64 = 1) -> Bool {
        guard value.isFinite, value >= 0, count > 0 else { return false }
        let scaled = (value * Distribution.scale).rounded()
        guard scaled < 9.0e18 else { return false }
        return histogram.record(UInt64(scaled), count: count)
    }

    public mutating func merge(_ other: Distribution) { histogram.add(other.histogram) }

    public var count: UInt64 { histogram.totalCount }
    public var isEmpty: Bool { histogram.totalCount == 0 }

    /// The value at `level` (0...100) as HDR defines it (the highest value equivalent to the
    /// recorded value at that rank), in the series unit.
    public func value(atPercentile level: Double) -> Double {
        Double(histogram.valueAtPercentile(level)) / Distribution.scale
    }

    /// Every non-empty bucket as (representative value in the series unit, count), ascending.
    /// The representative is the bucket's median-equivalent value.
    public var buckets: [(value: Double, count: UInt64)] {
        var out: [(Double, UInt64)] = []
        for iv in histogram.recordedValues() where iv.count > 0 {
            let v = histogram.medianEquivalentForValue(iv.value)
            out.append((Double(v) / Distribution.scale, UInt64(iv.count)))
        }
        return out
    }

    // MARK: compact encoding (store and native JSON)

    /// A compact, versioned encoding: `hdr2:` then comma-separated `value*count` pairs in micro-units.
    /// Independent of the library's internal layout, so stored data survives library upgrades.
    public var encoded: String {
        var s = "hdr2:"
        var first = true
        for iv in histogram.recordedValues() where iv.count > 0 {
            if !first { s += "," }
            first = false
            s += "\(histogram.lowestEquivalentForValue(iv.value))*\(iv.count)"
        }
        return s
    }

    /// Decodes ``encoded``; nil when the text is not a valid encoding.
    public init?(encoded: String) {
        guard encoded.hasPrefix("hdr2:") else { return nil }
        self.init()
        let body = encoded.dropFirst(5)
        if body.isEmpty { return }
        for pair in body.split(separator: ",") {
            let parts = pair.split(separator: "*")
            guard parts.count == 2, let v = UInt64(parts[0]), let c = UInt64(parts[1]), c > 0 else { return nil }
            guard histogram.record(v, count: c) else { return nil }
        }
    }

    public static func == (a: Distribution, b: Distribution) -> Bool { a.encoded == b.encoded }
    public func hash(into hasher: inout Hasher) { hasher.combine(encoded) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        guard let d = Distribution(encoded: text) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a distribution encoding")
        }
        self = d
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(encoded)
    }
}
