import Foundation
import PerfgateCore

/// The use case behind `perfgate capacity`: a commit's runs, grouped into campaigns (one per scenario and
/// environment), each analysed by ``Capacity``, with the baseline commit's knee and the capacity budget.
package struct CapacityCampaign {
    package var scenario: String
    package var environment: String
    package var commit: CommitInfo
    package var analysis: CapacityAnalysis
    /// Runs whose timeline gave the levels (stepped runs).
    package var steppedRuns: [Int64]
    /// Runs left out because their file says nothing about the load.
    package var runsWithoutLoad: [Int64]
    package var baseline: (commit: CommitInfo, analysis: CapacityAnalysis)?
    /// The budget's verdict, when a capacity budget was given.
    package var budget: KneeCheck?

    /// Campaigns of `sha` (one per scenario and environment), sorted by scenario then environment.
    package static func load(
        store: any HistoryStore, sha: String, scenario: String?, environment: String?, rule: KneeRule
    ) throws -> [CapacityCampaign] {
        let runs = try store.runs(RunFilter(scenario: scenario, environment: environment, commit: sha))
            .filter { $0.commit.sha == sha }
        let labels = try store.loadLabels(runIds: runs.map(\.id))
        return campaigns(of: try runs.compactMap { try store.detail(runId: $0.id) }, labels: labels, rule: rule)
    }

    /// Campaigns of runs already read (one per scenario and environment), sorted by scenario then environment.
    package static func campaigns(of details: [StoredRunDetail], labels: [Int64: RunLoadLabel], rule: KneeRule) -> [CapacityCampaign] {
        let groups = Dictionary(grouping: details) { GroupKey(scenario: $0.run.scenario, environment: $0.run.environment) }
        return groups.keys.sorted().map { key in
            let members = groups[key]!.sorted { $0.run.id < $1.run.id }
            let (levels, stepped, without) = Capacity.levels(of: members.map { ($0, labels[$0.run.id]) })
            return CapacityCampaign(
                scenario: key.scenario, environment: key.environment, commit: members[0].run.commit,
                analysis: Capacity.analyse(levels, rule: rule), steppedRuns: stepped, runsWithoutLoad: without)
        }
    }

    package struct GroupKey: Hashable, Comparable {
        package var scenario: String
        package var environment: String
        package init(scenario: String, environment: String) {
            self.scenario = scenario
            self.environment = environment
        }
        package static func < (a: GroupKey, b: GroupKey) -> Bool { (a.scenario, a.environment) < (b.scenario, b.environment) }
    }

    /// `perfgate capacity`: the campaigns of `sha` (sorted by scenario then environment), each with its
    /// baseline (the commit `baselineSha` names, else the nearest stored ancestor with a campaign of the
    /// same scenario and environment) and, with a capacity budget, the budget's verdict. Empty when `sha`
    /// has no runs; `baselineSha` is only called when it has some.
    package static func withBaselines(
        store: any HistoryStore, sha: String, baselineSha: () throws -> String?, scenario: String?, environment: String?,
        rule: KneeRule, budget: CapacityBudget?
    ) throws -> [CapacityCampaign] {
        var campaigns = try load(store: store, sha: sha, scenario: scenario, environment: environment, rule: rule)
        guard !campaigns.isEmpty else { return [] }
        let baselineSha = try baselineSha()
        for i in campaigns.indices {
            let c = campaigns[i]
            let base = try baselineSha ?? baselineCommit(store: store, of: sha, scenario: c.scenario, environment: c.environment)
            if let base, base != sha,
                let b = try load(store: store, sha: base, scenario: c.scenario, environment: c.environment, rule: rule).first
            {
                campaigns[i].baseline = (b.commit, b.analysis)
            }
            if let budget {
                campaigns[i].budget = KneeCheck(current: c.analysis.knee, baseline: campaigns[i].baseline?.analysis.knee, budget: budget)
            }
        }
        return campaigns
    }

    /// The nearest stored ancestor of `sha` (by the stored parent links) with runs of the same scenario
    /// and environment, or nil.
    package static func baselineCommit(store: any HistoryStore, of sha: String, scenario: String, environment: String) throws -> String? {
        for ancestor in try store.storedAncestry(from: sha, limit: 5000).dropFirst() {
            let runs = try store.runs(RunFilter(scenario: scenario, environment: environment, commit: ancestor))
            if runs.contains(where: { $0.commit.sha == ancestor }) { return ancestor }
        }
        return nil
    }
}

/// The capacity budget's decision for one campaign, in the gate's words (docs/gate.md).
package struct KneeCheck {
    package var verdict: Verdict
    package var detail: String
    package var rule: String

    /// `FAIL · knee at a lower load beyond its limit`, `pass · within budget`, `insufficient data`, `no baseline`.
    package var label: String {
        switch verdict {
        case .fail: return "FAIL · knee at a lower load beyond its limit"
        case .pass: return "pass · within budget"
        case .noBaseline: return "no baseline"
        default: return "insufficient data"
        }
    }

    package init(current: Knee, baseline: Knee?, budget: CapacityBudget) {
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
