import Foundation

/// A change point mapped back to commits: the level of a series moved at `commitSha`.
public struct DetectedChangePoint: Sendable, Hashable, Codable {
    public var scenario: String
    public var environment: String
    public var branch: String
    public var endpoint: String
    public var metric: String
    public var statistic: String
    /// First commit of the new regime.
    public var commitSha: String
    /// Last commit of the previous regime.
    public var previousSha: String
    /// Geometric means of the two adjacent segments.
    public var before: Double
    public var after: Double
    /// after/before − 1.
    public var relativeChange: Double
    public var pValue: Double
    /// True once `2·minSize` points follow it (docs/statistics.md); earlier it may still move.
    public var settled: Bool
    /// True when the change is worse in the metric's direction.
    public var isRegression: Bool

    public init(
        scenario: String, environment: String, branch: String, endpoint: String, metric: String, statistic: String, commitSha: String,
        previousSha: String, before: Double, after: Double, relativeChange: Double, pValue: Double, settled: Bool, isRegression: Bool
    ) {
        self.scenario = scenario
        self.environment = environment
        self.branch = branch
        self.endpoint = endpoint
        self.metric = metric
        self.statistic = statistic
        self.commitSha = commitSha
        self.previousSha = previousSha
        self.before = before
        self.after = after
        self.relativeChange = relativeChange
        self.pValue = pValue
        self.settled = settled
        self.isRegression = isRegression
    }
}

/// Change-point detection over a series' history (docs/statistics.md): one point per commit (the geometric
/// mean of its runs, so an index is a commit boundary), the last `defaultLastCommits` commits unless told
/// otherwise, E-Divisive means with Welch significance, minimum segment, minimum magnitude, the local-window
/// scan for short bumps (`Stats.ChangePoints.Options.localScan`) and a merge pass. This is `perfgate detect`;
/// the gate's history window (Gate+Statistical) calls `Stats.ChangePoints.eDivisive` with its defaults instead
/// (no scan), on purpose.
public enum ChangePointDetection {
    /// Default history: the newest 5,000 commits of the branch. Detection itself is cheap (Q̂ profiles are
    /// O(L log L), the scan O(L) per window width: 1–6 ms for 5,000 points, `perfgate-bench cpd-speed`); the
    /// cap bounds what is read from the store (rows = commits × runs × series × statistics): about 4 s of CPU
    /// for 250 series on a 10,000-commit store (`perfgate-bench detect-speed`, docs/statistics.md). `--all`
    /// lifts it.
    public static let defaultLastCommits = 5000
    /// The statistics `perfgate detect` analyses without `--stat`, and the report's charts mark.
    public static let defaultStatistics: [Statistic] = [.p50, .p95, .p99, .throughput, .errorRate]

    /// The options `perfgate detect` uses: the change-point defaults plus the local-window scan.
    public static let defaultOptions = Stats.ChangePoints.Options(localScan: true)

    /// One value per run in commit order (oldest first; several runs of one commit are adjacent).
    public struct Observation: Sendable, Hashable {
        public var commitSha: String
        public var value: Double
        public init(commitSha: String, value: Double) {
            self.commitSha = commitSha
            self.value = value
        }
    }

    /// Per-commit geometric means, in order (values ≤ 0 use the arithmetic mean).
    public static func perCommit(_ obs: [Observation]) -> [(sha: String, value: Double)] {
        // Running sums in the order of the values (no array per commit): the same additions as summing each
        // commit's values, so the same result to the last bit.
        struct Commit {
            var sha: String
            var sum = 0.0
            var logSum = 0.0
            var count = 0
            var allPositive = true
        }
        var commits: [Commit] = []
        for o in obs where o.value.isFinite {
            if commits.last?.sha != o.commitSha { commits.append(Commit(sha: o.commitSha)) }
            commits[commits.count - 1].sum += o.value
            commits[commits.count - 1].count += 1
            if o.value > 0 {
                commits[commits.count - 1].logSum += log(o.value)
            } else {
                commits[commits.count - 1].allPositive = false
            }
        }
        return commits.map { c in (c.sha, c.allPositive ? exp(c.logSum / Double(c.count)) : c.sum / Double(c.count)) }
    }

    /// Change points of one series of per-commit values (oldest first), as `perfgate detect` finds them: on the
    /// log scale unless a value is ≤ 0. nil when a value is not finite.
    public static func changePoints(_ values: [Double], options: Stats.ChangePoints.Options = defaultOptions) -> [Stats.ChangePoint]? {
        guard values.count >= 2 * options.minSize else { return values.allSatisfy(\.isFinite) ? [] : nil }
        var opts = options
        if values.contains(where: { $0 <= 0 }) { opts.logScale = false }
        return Stats.ChangePoints.eDivisive(values, options: opts)
    }

    /// Detects change points over the newest `lastCommits` commits (nil: the whole history); returns them with
    /// commit identities, oldest first.
    public static func detect(
        _ obs: [Observation], direction: Direction, options: Stats.ChangePoints.Options = defaultOptions,
        lastCommits: Int? = defaultLastCommits,
        label: (scenario: String, environment: String, branch: String, endpoint: String, metric: String, statistic: String)
    ) -> [DetectedChangePoint] {
        let all = perCommit(obs)
        let points = lastCommits.map { Array(all.suffix($0)) } ?? all
        guard let cps = changePoints(points.map(\.value), options: options) else { return [] }
        return cps.map { cp in
            let rel = cp.before != 0 ? cp.after / cp.before - 1 : 0
            return DetectedChangePoint(
                scenario: label.scenario, environment: label.environment, branch: label.branch, endpoint: label.endpoint,
                metric: label.metric, statistic: label.statistic, commitSha: points[cp.index].sha,
                previousSha: points[cp.index - 1].sha, before: cp.before, after: cp.after, relativeChange: rel,
                pValue: cp.pValue, settled: points.count - cp.index >= 2 * options.minSize,
                isRegression: direction.sign * rel > 0)
        }
    }
}
