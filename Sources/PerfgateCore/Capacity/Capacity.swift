import Foundation

/// One measured load level: a whole run at one load, or one steady step of a stepped run.
public struct LoadLevel: Sendable, Hashable, Codable {
    /// Concurrent virtual users / users.
    public var users: Double
    /// Workers or instances serving the load (`perfgate ingest --workers N`), when the user said.
    public var workers: Int?
    /// `--profile` label (normal, peak, stress, spike, endurance or any name).
    public var profile: String?
    public var requests: Double
    public var requestsPerSecond: Double?
    /// Whole-run latency percentiles in milliseconds; p99 is nil for a step of a timeline (buckets keep p50 and p95).
    public var p50: Double?
    public var p95: Double?
    public var p99: Double?
    /// Failed / all requests, 0…1.
    public var errorRate: Double?
    /// Where the level was measured: the runs, and for a step its span in seconds from the run's start.
    public var runIds: [Int64]
    public var span: ClosedRange<Double>?

    public init(
        users: Double, workers: Int? = nil, profile: String? = nil, requests: Double, requestsPerSecond: Double?,
        p50: Double?, p95: Double?, p99: Double? = nil, errorRate: Double?, runIds: [Int64], span: ClosedRange<Double>? = nil
    ) {
        self.users = users
        self.workers = workers
        self.profile = profile
        self.requests = requests
        self.requestsPerSecond = requestsPerSecond
        self.p50 = p50
        self.p95 = p95
        self.p99 = p99
        self.errorRate = errorRate
        self.runIds = runIds
        self.span = span
    }
}

/// How the knee is found (docs/capacity.md). The defaults are the documented ones.
public struct KneeRule: Sendable, Hashable, Codable {
    /// A level is past the knee when its p95 exceeds `p95Factor` × the p95 at the lowest load level.
    public var p95Factor: Double
    /// …or when throughput grew by less than `throughputGain` of the load's relative growth from the
    /// previous level (0.25: 25 % more users must bring at least 6.25 % more requests/s).
    public var throughputGain: Double

    public static let standard = KneeRule(p95Factor: 1.5, throughputGain: 0.25)

    public init(p95Factor: Double, throughputGain: Double) {
        self.p95Factor = p95Factor
        self.throughputGain = throughputGain
    }
}

/// Why a level is past the knee.
public enum KneeReason: String, Sendable, Hashable, Codable {
    /// p95 rose above the rule's factor × its low-load level.
    case p95Rise = "p95 rise"
    /// Throughput stopped growing with the load.
    case throughputFlat = "throughput flat"
}

/// The knee of a capacity curve, with its uncertainty: it lies between two measured load levels.
public enum Knee: Sendable, Hashable {
    /// Past the knee from `firstPast` on; `lastWithin` is the highest measured load still within the
    /// rule (the measured capacity). The true knee is somewhere in `lastWithin < knee ≤ firstPast`.
    case found(lastWithin: Double, firstPast: Double, reasons: [KneeReason])
    /// Every measured level is within the rule: the knee lies above `highest`, the highest load measured.
    case notReached(highest: Double)
    /// Too little data to look for one (fewer than two load levels, or no p95 and no throughput).
    case notMeasured(reason: String)

    /// The measured capacity: the highest load within the rule (nil unless a knee was found).
    public var capacity: Double? {
        if case .found(let lastWithin, _, _) = self { return lastWithin }
        return nil
    }

    /// One line a report prints, the same words everywhere.
    public var summary: String {
        switch self {
        case .found(let a, let b, let reasons):
            return "knee between \(Formatting.value(a, unit: .count)) and \(Formatting.value(b, unit: .count)) users (\(reasons.map(\.rawValue).joined(separator: ", ")))"
        case .notReached(let h): return "knee not reached up to \(Formatting.value(h, unit: .count)) users"
        case .notMeasured(let reason): return "knee not measured: \(reason)"
        }
    }
}

/// Where one level stands against the knee.
public enum LevelAssessment: String, Sendable, Hashable, Codable {
    case withinCapacity = "within capacity"
    case pastKnee = "past the knee"
    case unknown = "knee not measured"
}

/// Throughput at a worker count against linear scaling from one worker.
public struct ScalingPoint: Sendable, Hashable, Codable {
    public var workers: Int
    public var requestsPerSecond: Double
    /// `throughput(n) / (n · throughput(1))`; nil without a one-worker measurement.
    public var efficiency: Double?
    public var runIds: [Int64]

    public init(workers: Int, requestsPerSecond: Double, efficiency: Double?, runIds: [Int64]) {
        self.workers = workers
        self.requestsPerSecond = requestsPerSecond
        self.efficiency = efficiency
        self.runIds = runIds
    }
}

/// The capacity analysis of one campaign (the runs of one commit and scenario) or one stepped run.
public struct CapacityAnalysis: Sendable, Hashable {
    /// Load levels, ascending by users (runs at the same users and workers merged).
    public var levels: [LoadLevel]
    public var knee: Knee
    public var rule: KneeRule
    /// The p95 at the lowest load level, the reference of the p95 rule.
    public var lowLoadP95: Double?
    /// Throughput by worker count, ascending; empty when fewer than two worker counts were measured.
    public var scaling: [ScalingPoint]
    /// Where throughput stops growing while p95 keeps rising, on the knee's curve.
    public var saturation: Saturation = .notMeasured

    public func assessment(of level: LoadLevel) -> LevelAssessment {
        switch knee {
        case .found(let lastWithin, _, _): return level.users <= lastWithin ? .withinCapacity : .pastKnee
        case .notReached: return .withinCapacity
        case .notMeasured: return .unknown
        }
    }
}

/// Capacity and scaling from measured load levels (docs/capacity.md). Pure functions.
public enum Capacity {
    /// Analyses `levels` (any order; levels with the same users and workers are merged by their median).
    /// The knee is looked for among the levels of the most common worker count (one curve); the
    /// scaling table uses every worker count, each at its highest measured throughput.
    public static func analyse(_ levels: [LoadLevel], rule: KneeRule = .standard) -> CapacityAnalysis {
        let merged = merge(levels)
        let workerCounts = Dictionary(grouping: merged, by: { $0.workers ?? 0 })
        // The curve: the worker count with the most levels (ties: the smallest count).
        let curveWorkers = workerCounts.max { a, b in
            a.value.count != b.value.count ? a.value.count < b.value.count : a.key > b.key
        }?.key
        let curve = merged.filter { ($0.workers ?? 0) == curveWorkers }
        let (knee, low) = findKnee(curve, rule: rule)
        var analysis = CapacityAnalysis(levels: merged, knee: knee, rule: rule, lowLoadP95: low, scaling: scaling(merged))
        analysis.saturation = Saturation.find(curve, rule: rule)
        return analysis
    }

    /// Levels with equal users and workers merged: values by their median, requests summed.
    static func merge(_ levels: [LoadLevel]) -> [LoadLevel] {
        let groups = Dictionary(grouping: levels) { LevelKey(users: $0.users, workers: $0.workers) }
        return groups.keys.sorted().map { key in
            let g = groups[key]!
            if g.count == 1 { return g[0] }
            func med(_ path: KeyPath<LoadLevel, Double?>) -> Double? {
                let xs = g.compactMap { $0[keyPath: path] }
                return xs.isEmpty ? nil : Stats.Percentile.type7(xs, 0.5)
            }
            let profiles = Set(g.compactMap(\.profile))
            return LoadLevel(
                users: key.users, workers: key.workers, profile: profiles.count == 1 ? profiles.first : nil,
                requests: g.map(\.requests).reduce(0, +), requestsPerSecond: med(\.requestsPerSecond), p50: med(\.p50),
                p95: med(\.p95), p99: med(\.p99), errorRate: med(\.errorRate), runIds: g.flatMap(\.runIds).sorted())
        }
    }

    struct LevelKey: Hashable, Comparable {
        var users: Double
        var workers: Int?
        static func < (a: LevelKey, b: LevelKey) -> Bool { (a.workers ?? 0, a.users) < (b.workers ?? 0, b.users) }
    }

    /// Whether each level past the first breaks the rule, and the knee: the first level from which
    /// every higher level breaks it (a single noisy level below a level within the rule is not a knee).
    static func findKnee(_ curve: [LoadLevel], rule: KneeRule) -> (Knee, Double?) {
        let levels = curve.sorted { $0.users < $1.users }
        guard levels.count >= 2 else {
            return (.notMeasured(reason: levels.isEmpty ? "no load levels" : "one load level; a knee needs at least two"), nil)
        }
        let low = levels[0].p95
        let hasThroughput = levels.allSatisfy { $0.requestsPerSecond != nil }
        guard low != nil || hasThroughput else { return (.notMeasured(reason: "no p95 and no throughput"), nil) }
        var reasons: [[KneeReason]] = [[]]
        for i in 1..<levels.count {
            var r: [KneeReason] = []
            if let base = low, base > 0, let p = levels[i].p95, p > rule.p95Factor * base { r.append(.p95Rise) }
            if hasThroughput, throughputFlat(levels, at: i, rule: rule) { r.append(.throughputFlat) }
            reasons.append(r)
        }
        // The knee: the first level from which every level breaks the rule.
        var first: Int?
        for i in stride(from: levels.count - 1, through: 1, by: -1) {
            if reasons[i].isEmpty { break }
            first = i
        }
        guard let k = first else { return (.notReached(highest: levels[levels.count - 1].users), low) }
        return (.found(lastWithin: levels[k - 1].users, firstPast: levels[k].users, reasons: reasons[k]), low)
    }

    /// Whether throughput stopped growing with the load at `levels[i]` (ascending by users): it grew by
    /// less than `rule.throughputGain` of the load's relative growth from the previous level, compared
    /// with the best throughput so far, so a flat stretch stays flat. The knee and ``Saturation`` share it.
    static func throughputFlat(_ levels: [LoadLevel], at i: Int, rule: KneeRule) -> Bool {
        guard i >= 1, let x0 = levels[i - 1].requestsPerSecond, let x = levels[i].requestsPerSecond, x0 > 0 else { return false }
        let loadGrowth = levels[i].users / levels[i - 1].users - 1
        let best = levels[..<i].compactMap(\.requestsPerSecond).max() ?? x0
        return x - best < rule.throughputGain * loadGrowth * x0
    }

    /// Throughput per worker count (each at its highest measured throughput) and the efficiency
    /// `throughput(n) / (n · throughput(1))`. Empty unless at least two worker counts were measured.
    static func scaling(_ levels: [LoadLevel]) -> [ScalingPoint] {
        let byWorkers = Dictionary(grouping: levels.filter { $0.workers != nil && $0.requestsPerSecond != nil }) { $0.workers! }
        guard byWorkers.count >= 2 else { return [] }
        let best = byWorkers.mapValues { g in g.max { $0.requestsPerSecond! < $1.requestsPerSecond! }! }
        let one = best[1]?.requestsPerSecond
        return best.keys.sorted().map { n in
            let x = best[n]!.requestsPerSecond!
            return ScalingPoint(
                workers: n, requestsPerSecond: x, efficiency: one.flatMap { $0 > 0 ? x / (Double(n) * $0) : nil },
                runIds: best[n]!.runIds)
        }
    }

    /// The steady steps of a stepped run (k6 `ramping-vus` stages, a Locust `LoadTestShape`) as load
    /// levels: consecutive whole-run buckets with the same user count, without each step's first bucket
    /// (the ramp into it) and its last (the ramp out of it when the step ends mid-bucket); a step needs
    /// `minBuckets` buckets left. Requests/s is the step's requests over its span, p50 and p95 the median
    /// of its buckets' values. Empty when the run has no user counts or only one step.
    public static func steps(of timeline: RunTimeline, runId: Int64, minBuckets: Int = 2) -> [LoadLevel] {
        let run = timeline.wholeRun.filter { $0.users != nil }.sorted { $0.index < $1.index }
        var groups: [[TimelineBucket]] = []
        for b in run {
            if let last = groups.last?.last, last.users == b.users, last.index + 1 == b.index {
                groups[groups.count - 1].append(b)
            } else {
                groups.append([b])
            }
        }
        let levels: [LoadLevel] = groups.compactMap { g in
            guard g.count >= minBuckets + 2, let users = g[0].users, users > 0 else { return nil }
            let steady = Array(g.dropFirst().dropLast())
            let requests = steady.map(\.requests).reduce(0, +)
            let errors = steady.map(\.errors).reduce(0, +)
            let seconds = Double(steady.count) * timeline.bucketSeconds
            func med(_ xs: [Double]) -> Double? { xs.isEmpty ? nil : Stats.Percentile.type7(xs, 0.5) }
            return LoadLevel(
                users: users, requests: requests, requestsPerSecond: requests / seconds, p50: med(steady.compactMap(\.p50)),
                p95: med(steady.compactMap(\.p95)), errorRate: requests > 0 ? errors / requests : nil, runIds: [runId],
                span: timeline.startSeconds(of: steady[0].index)...timeline.endSeconds(of: steady[steady.count - 1].index))
        }
        return Set(levels.map(\.users)).count >= 2 ? levels : []
    }
}

/// A capacity budget (`"capacity": {"knee": "-10%"}`) evaluated against the baseline's campaign.
public enum KneeComparison: Sendable, Hashable {
    /// The knee did not move to a lower load by more than the limit.
    case pass(detail: String)
    /// The knee moved to a lower load by more than the limit.
    case fail(detail: String)
    /// Either knee is not measured, or the runs do not reach far enough to tell.
    case insufficientData(detail: String)

    /// Compares the knees; `maxDrop` is the allowed move to a lower load as a fraction (0.10 for "-10%").
    /// Knees are compared by their measured capacity (the highest load within the rule); a knee not
    /// reached counts only as "above the highest load measured".
    public static func compare(current: Knee, baseline: Knee, maxDrop: Double) -> KneeComparison {
        let limit = Formatting.value(maxDrop * 100, unit: .count) + "%"
        switch (current, baseline) {
        case (.notMeasured(let r), _): return .insufficientData(detail: "this commit's knee is not measured (\(r))")
        case (_, .notMeasured(let r)): return .insufficientData(detail: "the baseline's knee is not measured (\(r))")
        case (.found(let c, _, _), .found(let b, _, _)):
            let change = b > 0 ? c / b - 1 : 0
            let text = "capacity \(Formatting.value(c, unit: .count)) users vs \(Formatting.value(b, unit: .count)) (\(Formatting.signedPercent(change)))"
            return change < -maxDrop ? .fail(detail: text + ", more than \(limit) lower") : .pass(detail: text)
        case (.found(let c, _, _), .notReached(let h)):
            if c < (1 - maxDrop) * h {
                return .fail(
                    detail: "capacity \(Formatting.value(c, unit: .count)) users; the baseline held \(Formatting.value(h, unit: .count)) users without a knee, more than \(limit) lower")
            }
            return .insufficientData(
                detail: "capacity \(Formatting.value(c, unit: .count)) users; the baseline's knee is above its highest load (\(Formatting.value(h, unit: .count)) users)")
        case (.notReached(let h), .found(let b, _, _)):
            if h >= (1 - maxDrop) * b {
                return .pass(detail: "no knee up to \(Formatting.value(h, unit: .count)) users; baseline capacity \(Formatting.value(b, unit: .count)) users")
            }
            return .insufficientData(
                detail: "no knee up to \(Formatting.value(h, unit: .count)) users, below the baseline's capacity \(Formatting.value(b, unit: .count)) users")
        case (.notReached(let h), .notReached(let hb)):
            return .insufficientData(
                detail: "no knee in either campaign (up to \(Formatting.value(h, unit: .count)) and \(Formatting.value(hb, unit: .count)) users)")
        }
    }
}
