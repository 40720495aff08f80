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

        /// A tail is "wider" when tail/median grew by at least this (log scale ln 1.03).
        static let widening = log(1.03)
        /// Medians "stay" within this (ln 1.05, the default warn floor).
        static let medianStays = log(1.05)

        var reason: String {
            "environment noisier — rerun: the latency tails of \(widened) of \(endpoints) endpoints widened together "
                + "(\(Formatting.signedPercent(tailLow)) … \(Formatting.signedPercent(tailHigh))) while their medians stayed "
                + "(within ±\(Formatting.fixed(medianMax * 100, 1)) % or one resolution step)"
        }

        /// Finds the pattern among `current` and `baseline` runs of one scenario and environment.
        static func detect(current: [GateRun], baseline: [GateRun]) -> EnvironmentNoise? {
            guard !current.isEmpty, !baseline.isEmpty else { return nil }
            func level(_ runs: [GateRun], _ key: SeriesKey, _ stat: Statistic) -> Double? {
                aggregate(runs.compactMap { $0.series[key]?.stats[stat] }.filter { $0 > 0 && $0.isFinite }, .median)
            }
            let keys = Set(current.flatMap { $0.series.keys }).filter { $0.metric == SeriesKey.requestLatencyMetric && !$0.endpoint.isEmpty }
            let tool = current.first?.tool ?? ""
            var rows: [(key: SeriesKey, median: Double, stayed: Bool, tail: Double)] = []
            for key in keys {
                guard let cm = level(current, key, .p50), let bm = level(baseline, key, .p50) else { continue }
                guard let tail = [Statistic.p95, .p90, .p99].first(where: { level(current, key, $0) != nil && level(baseline, key, $0) != nil }),
                    let ct = level(current, key, tail), let bt = level(baseline, key, tail)
                else { continue }
                // A median "stays" within ±5 % or within one resolution step (Locust's buckets).
                let step = resolution(tool: tool, unit: .milliseconds, at: bm, observed: [cm, bm])
                let stayed = abs(log(cm / bm)) < medianStays || abs(cm - bm) <= step
                rows.append((key, log(cm / bm), stayed, log(ct / bt)))
            }
            guard rows.count >= 3 else { return nil }
            let widened = rows.filter { $0.stayed && $0.tail - max($0.median, 0) >= widening }
            // Most endpoints (≥ 3 and ≥ 60 %) widened with their medians in place, and the medians of ≥ 3/4 stayed.
            let stayed = rows.filter(\.stayed).count
            guard widened.count >= 3, Double(widened.count) >= 0.6 * Double(rows.count), Double(stayed) >= 0.75 * Double(rows.count) else { return nil }
            return EnvironmentNoise(
                endpoints: rows.count, widened: widened.count, tailLow: exp(widened.map(\.tail).min() ?? 0) - 1,
                tailHigh: exp(widened.map(\.tail).max() ?? 0) - 1, medianMax: exp(widened.map { abs($0.median) }.max() ?? 0) - 1)
        }
    }

    /// In a scenario with the environment-noise pattern, reports the latency tail findings of every
    /// endpoint, and every latency finding of the whole-run aggregate (a mix of the endpoints), as
    /// warnings that say so. Medians, error rates, absolute limits and other metrics keep their
    /// verdicts: a real regression of an endpoint's median still fails.
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
                    f.metric == SeriesKey.requestLatencyMetric, f.ruleClass != .absolute, f.verdict == .fail || f.verdict == .warn,
                    f.endpoint.isEmpty ? Statistic(rawValue: f.statistic).isPercentile || Statistic(rawValue: f.statistic) == .mean
                        : Statistic(rawValue: f.statistic).isTail
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
