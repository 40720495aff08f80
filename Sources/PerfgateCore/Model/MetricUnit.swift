import Foundation

/// Canonical units. Every value in the store is in one of these; adapters convert on the way in and
/// renderers format on the way out, nowhere else.
public enum MetricUnit: String, Sendable, Hashable, Codable, CaseIterable {
    /// Durations, always milliseconds.
    case milliseconds = "ms"
    /// Sizes, always bytes.
    case bytes = "B"
    /// Plain counts (requests, iterations, failures).
    case count = "count"
    /// Events per second.
    case perSecond = "/s"
    /// A fraction in 0...1 (error rate, check pass rate, cache hit rate).
    case ratio = "ratio"
    /// A percentage 0...100. Only stores written before perfgate 0.1.1 hold it: a `%` series is now
    /// stored as a ``ratio`` (53 % as 0.53), so `"70%"` in a budget means the same on every metric.
    case percent = "%"
    /// A unit-less number (gauges such as VUs, custom trends without a time flag).
    case none = ""

    /// Converts a value in a unit written by a tool or a user into the canonical unit.
    /// Returns nil for an unknown unit string.
    public static func normalise(_ value: Double, unit: String) -> (Double, MetricUnit)? {
        switch unit.trimmingCharacters(in: .whitespaces).lowercased() {
        case "ms", "millisecond", "milliseconds": return (value, .milliseconds)
        case "s", "sec", "second", "seconds": return (value * 1000, .milliseconds)
        case "us", "µs", "μs", "microsecond", "microseconds": return (value / 1000, .milliseconds)
        case "ns", "nanosecond", "nanoseconds": return (value / 1_000_000, .milliseconds)
        case "m", "min", "minute", "minutes": return (value * 60_000, .milliseconds)
        case "b", "byte", "bytes": return (value, .bytes)
        case "kb", "kib": return (value * 1024, .bytes)
        case "mb", "mib": return (value * 1024 * 1024, .bytes)
        case "gb", "gib": return (value * 1024 * 1024 * 1024, .bytes)
        case "count", "n", "requests", "iterations", "ops": return (value, .count)
        case "/s", "rps", "per_second", "persecond", "ops/s", "req/s", "1/s": return (value, .perSecond)
        case "ratio", "fraction": return (value, .ratio)
        // 53 % is the fraction 0.53: one meaning of "%" for series, budgets and reports.
        case "%", "percent", "pct": return (value / 100, .ratio)
        case "", "none": return (value, .none)
        default: return nil
        }
    }
}
