import PerfgateCore

extension IngestedRun {
    /// What no adapter may hand to the store, whatever the file said: a NUL byte in a name (SQLite
    /// and C tools cut the name there, so two names would collide), a value that is not finite (an
    /// overflowing unit conversion such as `1e308` seconds), a negative duration or count, an error
    /// rate outside 0…1. Throws the first problem as an error naming the file and the series
    /// (exit 65); every export of a stored run can therefore be imported again.
    public func validate(file: String) throws {
        func name(_ s: String, _ what: String) throws {
            if s.unicodeScalars.contains("\u{0}") {
                throw IngestError.at(file, "\(what) \"\(s)\" contains a NUL byte")
            }
        }
        for s in series {
            let label = "series \"\(s.key.endpoint.isEmpty ? "(all)" : s.key.endpoint) \(s.key.metric)\""
            try name(s.key.endpoint, "endpoint")
            try name(s.key.metric, "metric")
            for (stat, value) in s.stats.sorted(by: { $0.key < $1.key }) {
                guard value.isFinite else {
                    throw IngestError.at(file, "\(label): \(stat.rawValue) is not a finite number (\(value))")
                }
                let unit = stat.unit(seriesUnit: s.unit)
                if value < 0, unit == .milliseconds || unit == .count || unit == .bytes || unit == .perSecond {
                    throw IngestError.at(file, "\(label): \(stat.rawValue) is negative (\(value) \(unit.rawValue))")
                }
                if unit == .ratio, stat == .errorRate, !(0...1).contains(value) {
                    throw IngestError.at(file, "\(label): error_rate \(value) is outside 0…1")
                }
            }
        }
        for t in thresholds { try name(t.metric, "threshold metric"); try name(t.expression, "threshold") }
        for c in checks { try name(c.name, "check"); try name(c.group, "check group") }
        for e in errors { try name(e.endpoint, "endpoint"); try name(e.message, "error message") }
        for (k, v) in tags { try name(k, "tag"); try name(v, "tag value") }
    }
}
