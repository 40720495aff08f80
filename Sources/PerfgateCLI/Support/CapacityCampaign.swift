import Foundation
import PerfgateCore
import PerfgateEngine

/// The use case behind `perfgate capacity`: a commit's runs, grouped into campaigns (one per scenario and
/// environment), each analysed by ``Capacity``, with the baseline commit's knee and the capacity budget.
struct CapacityCampaign {
    var scenario: String
    var environment: String
    var commit: CommitInfo
    var analysis: CapacityAnalysis
    /// Runs whose timeline gave the levels (stepped runs).
    var steppedRuns: [Int64]
    /// Runs left out because their file says nothing about the load.
    var runsWithoutLoad: [Int64]
    var baseline: (commit: CommitInfo, analysis: CapacityAnalysis)?
    /// The budget's verdict, when a capacity budget was given.
    var budget: KneeCheck?

    /// Campaigns of `sha` (one per scenario and environment), sorted by scenario then environment.
    static func load(
        store: any HistoryStore, sha: String, scenario: String?, environment: String?, rule: KneeRule
    ) throws -> [CapacityCampaign] {
        let runs = try store.runs(RunFilter(scenario: scenario, environment: environment, commit: sha))
            .filter { $0.commit.sha == sha }
        let labels = try store.loadLabels(runIds: runs.map(\.id))
        let groups = Dictionary(grouping: runs) { GroupKey(scenario: $0.scenario, environment: $0.environment) }
        return try groups.keys.sorted().map { key in
            let members = groups[key]!.sorted { $0.id < $1.id }
            let details = try members.compactMap { try store.detail(runId: $0.id) }.map { ($0, labels[$0.run.id]) }
            let (levels, stepped, without) = Capacity.levels(of: details)
            return CapacityCampaign(
                scenario: key.scenario, environment: key.environment, commit: members[0].commit,
                analysis: Capacity.analyse(levels, rule: rule), steppedRuns: stepped, runsWithoutLoad: without)
        }
    }

    struct GroupKey: Hashable, Comparable {
        var scenario: String
        var environment: String
        static func < (a: GroupKey, b: GroupKey) -> Bool { (a.scenario, a.environment) < (b.scenario, b.environment) }
    }

    /// The nearest stored ancestor of `sha` (by the stored parent links) with runs of the same scenario
    /// and environment, or nil.
    static func baselineCommit(store: any HistoryStore, of sha: String, scenario: String, environment: String) throws -> String? {
        for ancestor in try store.storedAncestry(from: sha, limit: 5000).dropFirst() {
            let runs = try store.runs(RunFilter(scenario: scenario, environment: environment, commit: ancestor))
            if runs.contains(where: { $0.commit.sha == ancestor }) { return ancestor }
        }
        return nil
    }
}

/// The capacity budget's decision for one campaign, in the gate's words (docs/gate.md).
struct KneeCheck {
    var verdict: Verdict
    var detail: String
    var rule: String

    /// `FAIL · knee at a lower load beyond its limit`, `pass · within budget`, `insufficient data`, `no baseline`.
    var label: String {
        switch verdict {
        case .fail: return "FAIL · knee at a lower load beyond its limit"
        case .pass: return "pass · within budget"
        case .noBaseline: return "no baseline"
        default: return "insufficient data"
        }
    }

    init(current: Knee, baseline: Knee?, budget: CapacityBudget) {
        rule = "capacity.knee \(budget.source)"
        guard let baseline else {
            verdict = .noBaseline
            detail = "no baseline campaign to compare the knee with"
            return
        }
        switch KneeComparison.compare(current: current, baseline: baseline, maxDrop: budget.kneeDrop) {
        case .pass(let d): (verdict, detail) = (.pass, d)
        case .fail(let d): (verdict, detail) = (.fail, d)
        case .insufficientData(let d): (verdict, detail) = (.insufficientData, d)
        }
    }
}
