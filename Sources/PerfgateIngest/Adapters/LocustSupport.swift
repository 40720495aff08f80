import Foundation
import PerfgateCore

/// Conventions shared by the Locust adapters.
enum Locust {
    static let tool = "locust"

    /// `"METHOD name"`; the `Aggregated` entry (empty method) is the whole run, `""`.
    static func endpoint(method: String, name: String) -> String {
        if method.isEmpty && name == "Aggregated" { return "" }
        if method.isEmpty { return name }
        return method + " " + name
    }

    /// The percentiles Locust reports by default (`PERCENTILES_TO_REPORT`), as fractions.
    static let reportedPercentiles: [Double] = [0.50, 0.66, 0.75, 0.80, 0.90, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0]

    /// Statistic name for a percentile fraction: 0.999 → `p99.9`, 1.0 → `p100`.
    static func statistic(fraction p: Double) -> Statistic {
        // Same label rule as Locust's `get_readable_percentiles`: integral → int, else 6 decimals.
        let pct = p * 100
        let rounded = (pct * 1_000_000).rounded() / 1_000_000
        return .percentile(pct == pct.rounded() ? pct : rounded)
    }

    /// The request series every Locust adapter produces.
    static func series(endpoint: String, stats: [Statistic: Double], distribution: Distribution? = nil) -> SeriesResult {
        SeriesResult(
            key: SeriesKey(endpoint: endpoint, metric: SeriesKey.requestLatencyMetric), unit: .milliseconds,
            direction: .lowerIsBetter, stats: stats, distribution: distribution)
    }

    /// Strict decimal number syntax (no `nan`, `inf`, hex); nil otherwise.
    static func decimal(_ text: String) -> Double? {
        guard !text.isEmpty,
            text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 45 || $0 == 43 || $0 == 101 || $0 == 69 }),
            text.utf8.contains(where: { $0 >= 48 && $0 <= 57 }),
            let d = Double(text), d.isFinite
        else { return nil }
        return d
    }
}
