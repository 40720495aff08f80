import PerfgateCore

extension IngestedRun {
    /// What no adapter may hand to the store, whatever the file said: a NUL byte in a name (SQLite
    /// and C tools cut the name there, so two names would collide), a value that is not finite (an
    /// overflowing unit conversion such as `1e308` seconds), a negative duration or count, an error
    /// rate outside 0…1, a name longer than ``Limits/maxNameBytes``, more series than
    /// ``Limits/maxSeriesPerRun``. Throws the first problem as an error naming the file and the series
    /// (exit 65); every export of a stored run can therefore be imported again.
    public func validate(file: String) throws {
        func text(_ s: String, _ what: String) throws {
            if s.unicodeScalars.contains("\u{0}") {
                throw IngestError.at(file, "\(what) \"\(s)\" contains a NUL byte")
            }
        }
        func name(_ s: String, _ what: String) throws {
            if s.unicodeScalars.contains("\u{0}") {
                throw IngestError.at(file, "\(what) \"\(s)\" contains a NUL byte")
            }
            try IngestedRun.checkNameLength(s, what, file: file)
        }
        try IngestedRun.checkSeriesCount(series.count, file: file)
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
        for t in thresholds { try name(t.metric, "threshold metric"); try text(t.expression, "threshold") }
        for c in checks { try name(c.name, "check"); try name(c.group, "check group") }
        for e in errors { try name(e.endpoint, "endpoint"); try text(e.message, "error message") }
        for (k, v) in tags { try name(k, "tag"); try name(v, "tag value") }
    }
}

extension IngestedRun {
    /// The one check of ``Limits/maxSeriesPerRun``; adapters that stream call it as series appear (with
    /// the line that made one too many), ``validate(file:)`` on the finished run.
    public static func checkSeriesCount(_ count: Int, file: String, line: Int? = nil) throws {
        guard count > Limits.maxSeriesPerRun else { return }
        throw IngestError.malformed(
            SourceLocation(file: file, line: line),
            "more than \(Limits.maxSeriesPerRun) series in one run, the limit (see \"Limits\" in the README); "
                + "are ids or full URLs used as names? group them under one name (k6: a `name` tag)")
    }
}

extension IngestedRun {
    /// The one check of ``Limits/maxNameBytes``; streaming adapters call it when a name first appears.
    public static func checkNameLength(_ s: String, _ what: String, file: String, line: Int? = nil) throws {
        let bytes = s.utf8.count
        guard bytes > Limits.maxNameBytes else { return }
        throw IngestError.malformed(
            SourceLocation(file: file, line: line),
            "\(what) \"\(s.prefix(60))…\" is \(bytes) bytes long, over the limit of \(Limits.describe(Limits.maxNameBytes)) for a name (see \"Limits\" in the README)")
    }
}
