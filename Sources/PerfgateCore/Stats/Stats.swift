import Foundation

/// Namespace for perfgate's statistics: pure functions over value types, no global state.
///
/// Every function is deterministic. Two-sample functions take the **current** sample first and the
/// **baseline** second (SciPy's argument order in the reference vectors).
public enum Stats {}

extension Stats {
    /// The alternative hypothesis of a test, named as in SciPy.
    public enum Alternative: String, Sendable, Hashable, Codable, CaseIterable {
        /// Current differs from baseline in either direction.
        case twoSided = "two-sided"
        /// Current is stochastically larger (for latency: a regression).
        case greater
        /// Current is stochastically smaller.
        case less
    }

    /// Arithmetic mean; NaN for an empty sample.
    public static func mean(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return .nan }
        var s = 0.0
        for v in x { s += v }
        return s / Double(x.count)
    }

    /// Variance with `ddof` (two-pass); NaN when `count <= ddof`.
    public static func variance(_ x: [Double], ddof: Int = 1) -> Double {
        guard x.count > ddof else { return .nan }
        let m = mean(x)
        var s = 0.0
        for v in x { s += (v - m) * (v - m) }
        return s / Double(x.count - ddof)
    }

    /// Standard deviation with `ddof` (default 1, Bessel).
    public static func standardDeviation(_ x: [Double], ddof: Int = 1) -> Double {
        variance(x, ddof: ddof).squareRoot()
    }

    /// Median (type 7 at 0.5); NaN for an empty sample.
    public static func median(_ x: [Double]) -> Double {
        Percentile.type7(x, 0.5)
    }

    /// Sum of squared deviations from the mean (two-pass).
    static func sumOfSquares(_ x: [Double]) -> Double {
        let m = mean(x)
        var s = 0.0
        for v in x { s += (v - m) * (v - m) }
        return s
    }
}
