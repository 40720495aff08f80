import Foundation

extension Gate {
    /// An environment-wide pattern in one (scenario, environment): the latency tails of most endpoints
    /// widened together while their medians stayed. That is what a noisier runner looks like (a busy
    /// neighbour, CPU throttling), not what a code change to one endpoint does; a real global slowdown
    /// moves the medians too and is not matched (docs/gate.md "Environment noise").
    struct EnvironmentNoise {
        /// Latency endpoints compared, and those whose tail widened.
        var endpoints: Int
        var widened: Int
        /// Range of the tail changes (relative) over the widened endpoints.
        var tailLow: Double
        var tailHigh: Double
        /// Largest median change (relative, absolute value) over the widened endpoints.
        var medianMax: Double
        /// Endpoints (series keys) whose tail findings are reported as environment noise.
        var keys: Set<SeriesKey>

        /// A tail is "wider" when tail/median grew by at least this (log scale ln 1.03).
        static let widening = log(1.03)
        /// Medians "stay" within this (ln 1.05, the default warn floor).
        static let medianStays = log(1.05)

        var reason: String {
            "environment noisier — rerun: the latency tails of \(widened) of \(endpoints) endpoints widened together "
                + "(\(Formatting.signedPercent(tailLow)) … \(Formatting.signedPercent(tailHigh))) while their medians stayed "
                + "(within ±\(Formatting.fixed(medianMax * 100, 1)) %)"
        }

        /// Finds the pattern among `current` and `baseline` runs of one scenario and environment.
        static func detect(current: [GateRun], baseline: [GateRun]) -> EnvironmentNoise? {
            guard !current.isEmpty, !baseline.isEmpty else { return nil }
            func level(_ runs: [GateRun], _ key: SeriesKey, _ stat: Statistic) -> Double? {
                aggregate(runs.compactMap { $0.series[key]?.stats[stat] }.filter { $0 > 0 && $0.isFinite }, .median)
            }
            let keys = Set(current.flatMap { $0.series.keys }).filter { $0.metric == SeriesKey.requestLatencyMetric && !$0.endpoint.isEmpty }
            var rows: [(key: SeriesKey, median: Double, tail: Double)] = []
            for key in keys {
                guard let cm = level(current, key, .p50), let bm = level(baseline, key, .p50) else { continue }
                guard let tail = [Statistic.p95, .p90, .p99].first(where: { level(current, key, $0) != nil && level(baseline, key, $0) != nil }),
                    let ct = level(current, key, tail), let bt = level(baseline, key, tail)
                else { continue }
                rows.append((key, log(cm / bm), log(ct / bt)))
            }
            guard rows.count >= 3 else { return nil }
            let widened = rows.filter { $0.tail - $0.median >= widening && abs($0.median) < medianStays }
            // Most endpoints (≥ 3 and ≥ 3/4 of them) widened, and the medians of (almost) all stayed.
            let stayed = rows.filter { abs($0.median) < medianStays }.count
            guard widened.count >= 3, Double(widened.count) >= 0.75 * Double(rows.count), Double(stayed) >= 0.75 * Double(rows.count) else { return nil }
            return EnvironmentNoise(
                endpoints: rows.count, widened: widened.count, tailLow: exp(widened.map(\.tail).min() ?? 0) - 1,
                tailHigh: exp(widened.map(\.tail).max() ?? 0) - 1, medianMax: exp(widened.map { abs($0.median) }.max() ?? 0) - 1,
                keys: Set(widened.map(\.key)))
        }
    }

    /// Reports tail findings of the endpoints in an environment-noise pattern as warnings that say so.
    /// Medians, error rates and other metrics keep their verdicts: a real regression still fails.
    static func applyEnvironmentNoise(_ findings: inout [Finding], current: [GateRun], baseline: [GateRun]) -> [String] {
        var notices: [String] = []
        let groups = Dictionary(grouping: current) { "\($0.scenario)\u{1}\($0.environment)" }
        for (_, runs) in groups.sorted(by: { $0.key < $1.key }) {
            guard let first = runs.first else { continue }
            let base = baseline.filter { $0.scenario == first.scenario && $0.environment == first.environment }
            guard let noise = EnvironmentNoise.detect(current: runs, baseline: base) else { continue }
            var touched = false
            for i in findings.indices {
                let f = findings[i]
                guard f.scenario == first.scenario, f.environment == first.environment,
                    noise.keys.contains(SeriesKey(endpoint: f.endpoint, metric: f.metric)),
                    f.ruleClass != .absolute, f.verdict == .fail || f.verdict == .warn,
                    Statistic(rawValue: f.statistic).isTail
                else { continue }
                findings[i].verdict = .warn
                findings[i].levelHit = .warn
                findings[i].reasons = [noise.reason]
                touched = true
            }
            if touched { notices.append("scenario \(first.scenario): " + noise.reason) }
        }
        return notices
    }
}

extension Statistic {
    /// Statistics that a wider latency distribution moves while the median stays: upper percentiles,
    /// the mean, the maximum and the standard deviation.
    var isTail: Bool {
        if let f = percentileFraction { return f > 0.5 }
        return self == .mean || self == .max || self == .stddev
    }
}
