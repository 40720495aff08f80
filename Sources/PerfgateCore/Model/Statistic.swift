import Foundation

/// A statistic of a series in one run: `count`, `mean`, `min`, `max`, a percentile such as `p95` or
/// `p99.9`, or a request-level figure such as `error_rate` and `throughput`.
///
/// The raw value is the canonical spelling and is what the store keeps. Percentiles are spelled
/// `p` + the shortest decimal (`p50`, `p99.9`), parsed from any tool spelling (`p(95)`, `95%`, `med`).
public struct Statistic: RawRepresentable, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let count = Statistic(rawValue: "count")
    public static let mean = Statistic(rawValue: "mean")
    public static let min = Statistic(rawValue: "min")
    public static let max = Statistic(rawValue: "max")
    public static let stddev = Statistic(rawValue: "stddev")
    /// Last or only value (gauges, custom single-value metrics).
    public static let value = Statistic(rawValue: "value")
    /// Number of failed requests.
    public static let errors = Statistic(rawValue: "errors")
    /// Failed requests / all requests, a fraction.
    public static let errorRate = Statistic(rawValue: "error_rate")
    /// Requests (or events) per second over the run.
    public static let throughput = Statistic(rawValue: "throughput")
    /// k6 rate metrics and checks: the pass fraction.
    public static let rate = Statistic(rawValue: "rate")
    public static let passes = Statistic(rawValue: "passes")
    public static let fails = Statistic(rawValue: "fails")
    public static let p50 = Statistic.percentile(50)
    public static let p90 = Statistic.percentile(90)
    public static let p95 = Statistic.percentile(95)
    public static let p99 = Statistic.percentile(99)

    /// A percentile statistic; `level` is in 0...100.
    public static func percentile(_ level: Double) -> Statistic {
        Statistic(rawValue: "p" + Statistic.formatLevel(level))
    }

    /// The percentile level in 0...100 when this is a percentile.
    public var percentileLevel: Double? {
        let text = rawValue.utf8
        guard text.first == UInt8(ascii: "p") else { return nil }
        // Sorting and grouping ask this of every statistic many times: the canonical spelling (digits,
        // at most one point, ≤ 15 digits) is read without `Double(String)`. m / 10^k with both exact is
        // the correctly rounded value, which is what `Double` reads from the text.
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = 0
        var point = false
        var plain = true
        for c in text.dropFirst() {
            if c >= 48 && c <= 57 {
                mantissa = mantissa &* 10 &+ UInt64(c - 48)
                digits += 1
                if point { scale += 1 }
            } else if c == 46 && !point {
                point = true
            } else {
                plain = false
                break
            }
        }
        let v: Double
        if plain && digits > 0 && digits <= 15 {
            v = Double(mantissa) / Statistic.powersOfTen[scale]
        } else {
            guard let parsed = Double(rawValue.dropFirst()) else { return nil }
            v = parsed
        }
        return (0...100).contains(v) ? v : nil
    }

    private static let powersOfTen: [Double] = (0...15).map { Double("1e\($0)")! }

    /// The level as an exact fraction (`99.9` → 0.999 parsed as a decimal, not 99.9/100).
    public var percentileFraction: Double? {
        guard percentileLevel != nil else { return nil }
        let digits = String(rawValue.dropFirst())
        // Shift the decimal point two places in text so 99.9 becomes "0.999" exactly as written.
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        let frac = parts.count > 1 ? String(parts[1]) : ""
        let padded = String(repeating: "0", count: Swift.max(0, 2 - intPart.count)) + intPart
        let head = padded.dropLast(2)
        let tail = padded.suffix(2)
        return Double((head.isEmpty ? "0" : String(head)) + "." + tail + frac)
    }

    public var isPercentile: Bool { percentileLevel != nil }

    /// Parses the spellings tools and people use: `p95`, `p(95)`, `P95`, `95%`, `med`, `median`,
    /// `avg`, `average`, `mean`, `min`, `max`, `count`, `error_rate`, `throughput`, `rps`.
    public static func parse(_ text: String) -> Statistic? {
        let t = text.trimmedOfWhitespace.lowercased()
        switch t {
        case "avg", "average", "mean": return .mean
        case "med", "median": return .p50
        case "min", "minimum": return .min
        case "max", "maximum": return .max
        case "count", "requests", "n": return .count
        case "stddev", "std", "sd": return .stddev
        case "value", "last": return .value
        case "errors", "failures": return .errors
        case "error_rate", "errorrate", "failure_rate", "fail_ratio": return .errorRate
        case "throughput", "rps", "rate_per_second": return .throughput
        case "rate": return .rate
        case "passes": return .passes
        case "fails": return .fails
        default: break
        }
        var body = Substring(t)
        if body.hasPrefix("p(") && body.hasSuffix(")") {
            body = body.dropFirst(2).dropLast()
        } else if body.hasPrefix("p") {
            body = body.dropFirst()
        } else if body.hasSuffix("%") {
            body = body.dropLast()
        } else {
            return nil
        }
        guard !body.isEmpty, body.allSatisfy({ $0.isNumber || $0 == "." }), let level = Double(body),
            (0...100).contains(level)
        else { return nil }
        return .percentile(level)
    }

    static func formatLevel(_ level: Double) -> String {
        if level == level.rounded() { return String(Int(level)) }
        var s = String(format: "%.6f", level)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// The unit of this statistic for a series measured in `seriesUnit`.
    public func unit(seriesUnit: MetricUnit) -> MetricUnit {
        switch self {
        case .count, .errors, .passes, .fails: return .count
        case .errorRate, .rate: return .ratio
        case .throughput: return .perSecond
        // Within-run drift (docs/drift.md): fractions of the level per hour, the window's points and seconds.
        case Drift.slope, Drift.low, Drift.high: return .ratio
        case Drift.points: return .count
        case Drift.seconds: return .none
        // Warm-up and steady state (docs/steady-state.md): seconds and a status code; `steady_p95` and
        // the other windowed statistics are in the unit of the statistic they stand for.
        case SteadyState.warmUp, SteadyState.start, SteadyState.seconds, SteadyState.status: return .none
        default:
            if let base = SteadyState.base(of: self) { return base.unit(seriesUnit: seriesUnit) }
            return seriesUnit
        }
    }

    /// The direction of this statistic for a series whose values improve in `seriesDirection`.
    public func direction(seriesDirection: Direction) -> Direction {
        switch self {
        case .count, .throughput, .passes: return .higherIsBetter
        case .errors, .errorRate, .fails, Drift.slope, Drift.low, Drift.high: return .lowerIsBetter
        case Drift.points, Drift.seconds: return .higherIsBetter
        case SteadyState.seconds, SteadyState.status: return .higherIsBetter
        case SteadyState.warmUp, SteadyState.start: return .lowerIsBetter
        default:
            if let base = SteadyState.base(of: self) { return base.direction(seriesDirection: seriesDirection) }
            return seriesDirection
        }
    }

    /// Canonical ordering used in every table: count, mean, min, percentiles ascending, max, then the rest.
    public static func < (a: Statistic, b: Statistic) -> Bool {
        let (ra, rb) = (a.sortRank, b.sortRank)
        if ra.0 != rb.0 { return ra.0 < rb.0 }
        if ra.1 != rb.1 { return ra.1 < rb.1 }
        return a.rawValue < b.rawValue
    }

    private var sortRank: (Int, Double) {
        if let level = percentileLevel { return (3, level) }
        switch self {
        case .count: return (0, 0)
        case .mean: return (1, 0)
        case .min: return (2, 0)
        case .max: return (4, 0)
        case .stddev: return (5, 0)
        case .value: return (6, 0)
        case .throughput: return (7, 0)
        case .errors: return (8, 0)
        case .errorRate: return (9, 0)
        default: return (10, 0)
        }
    }

    public var description: String { rawValue }
}
