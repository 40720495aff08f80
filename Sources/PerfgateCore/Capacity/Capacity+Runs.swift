import Foundation

/// The load label a run was ingested with (`--profile`, `--workers`).
public struct RunLoadLabel: Sendable, Hashable, Codable {
    public var profile: String?
    public var workers: Int?

    public init(profile: String? = nil, workers: Int? = nil) {
        self.profile = profile
        self.workers = workers
    }
}

extension Capacity {
    /// The users a run applied: the most active users its timeline saw, else the file's maximum VUs,
    /// else its VUs/users; nil when the file says nothing about its load (a Locust `_stats.csv` alone).
    public static func users(of detail: StoredRunDetail) -> Double? {
        if let peak = detail.result.timeline?.phases?.peakUsers, peak > 0 { return peak }
        if let m = detail.run.maxVUs, m > 0 { return Double(m) }
        if let v = detail.run.vus, v > 0 { return Double(v) }
        return nil
    }

    /// A whole run as one load level: whole-run request latency percentiles, throughput and error rate.
    public static func level(of detail: StoredRunDetail, label: RunLoadLabel?) -> LoadLevel? {
        guard let users = users(of: detail) else { return nil }
        let s = detail.result.series(SeriesKey(endpoint: "", metric: SeriesKey.requestLatencyMetric))
        let count = s?.stats[.count] ?? 0
        var rps = s?.stats[.throughput]
        if rps == nil, count > 0, let d = detail.run.durationSeconds, d > 0 { rps = count / d }
        return LoadLevel(
            users: users, workers: label?.workers, profile: label?.profile, requests: count, requestsPerSecond: rps,
            p50: s?.stats[.p50], p95: s?.stats[.p95], p99: s?.stats[.p99], errorRate: s?.stats[.errorRate],
            runIds: [detail.run.id])
    }

    /// The load levels of a campaign: a run whose timeline climbs through two or more steady steps
    /// (a stepped run) gives one level per step, every other run one level. Runs that carry no load
    /// level are returned apart, so the caller can say which were left out.
    public static func levels(of runs: [(detail: StoredRunDetail, label: RunLoadLabel?)]) -> (
        levels: [LoadLevel], stepped: [Int64], withoutLoad: [Int64]
    ) {
        var levels: [LoadLevel] = []
        var stepped: [Int64] = []
        var without: [Int64] = []
        for (detail, label) in runs {
            if let t = detail.result.timeline {
                let steps = steps(of: t, runId: detail.run.id)
                if !steps.isEmpty {
                    levels += steps.map {
                        var l = $0
                        l.workers = label?.workers
                        l.profile = label?.profile
                        return l
                    }
                    stepped.append(detail.run.id)
                    continue
                }
            }
            if let l = level(of: detail, label: label) { levels.append(l) } else { without.append(detail.run.id) }
        }
        return (levels, stepped, without)
    }
}
