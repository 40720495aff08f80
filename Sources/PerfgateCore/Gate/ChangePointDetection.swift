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
    /// True once `2·minSize` points follow it (stats.md §5.4); earlier it may still move.
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

/// Change-point detection over a series' history (stats.md §5): one point per commit (the geometric
/// mean of its runs, so an index is a commit boundary), the last `maxPoints` commits, E-Divisive
/// means with Welch significance, minimum segment, minimum magnitude and a merge pass.
public enum ChangePointDetection {
    public static let maxPoints = 200

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
        var out: [(String, [Double])] = []
        for o in obs where o.value.isFinite {
            if let last = out.last, last.0 == o.commitSha {
                out[out.count - 1].1.append(o.value)
            } else {
                out.append((o.commitSha, [o.value]))
            }
        }
        return out.map { sha, vs in
            let gm = vs.allSatisfy { $0 > 0 } ? exp(vs.map(log).reduce(0, +) / Double(vs.count)) : vs.reduce(0, +) / Double(vs.count)
            return (sha, gm)
        }
    }

    /// Detects change points over the last `lastCommits` commits (`perfgate tune`: the whole replayed
    /// history); returns them with commit identities, oldest first.
    public static func detect(
        _ obs: [Observation], direction: Direction, options: Stats.ChangePoints.Options = Stats.ChangePoints.Options(),
        lastCommits: Int = maxPoints,
        label: (scenario: String, environment: String, branch: String, endpoint: String, metric: String, statistic: String)
    ) -> [DetectedChangePoint] {
        let points = Array(perCommit(obs).suffix(lastCommits))
        guard points.count >= 2 * options.minSize else { return [] }
        var opts = options
        let values = points.map(\.value)
        if values.contains(where: { $0 <= 0 }) { opts.logScale = false }
        guard let cps = Stats.ChangePoints.eDivisive(values, options: opts) else { return [] }
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
