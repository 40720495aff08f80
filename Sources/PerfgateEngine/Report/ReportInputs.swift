import Foundation
import PerfgateCore

/// What `perfgate report` reads from the store beside the history itself.
package enum ReportInputs {
    /// The run the site's status is about: the newest of `branch` (by commit time, then start time, then id),
    /// or of the whole store when the branch has none.
    package static func newest(_ runs: [ReportRun], branch: String) -> ReportRun? {
        runs.filter { $0.commit.branch == branch }.max(by: older) ?? runs.max(by: older)
    }

    static func older(_ a: ReportRun, _ b: ReportRun) -> Bool {
        let ta = a.commit.committedAt ?? .distantPast
        let tb = b.commit.committedAt ?? .distantPast
        if ta != tb { return ta < tb }
        if (a.startedAt ?? .distantPast) != (b.startedAt ?? .distantPast) {
            return (a.startedAt ?? .distantPast) < (b.startedAt ?? .distantPast)
        }
        return a.id < b.id
    }

    /// TO's capacity campaigns beside FROM's, matched by scenario and environment.
    package static func capacityCurves(store: any HistoryStore, to: String, from: String) throws -> [CapacityCurvePair] {
        let current = try CapacityCampaign.load(store: store, sha: to, scenario: nil, environment: nil, rule: .standard)
        let baseline = from == to ? [] : try CapacityCampaign.load(store: store, sha: from, scenario: nil, environment: nil, rule: .standard)
        let keys = Set((current + baseline).map { CapacityCampaign.GroupKey(scenario: $0.scenario, environment: $0.environment) }).sorted()
        return keys.map { k in
            func side(_ cs: [CapacityCampaign]) -> CapacityAnalysis? {
                cs.first { $0.scenario == k.scenario && $0.environment == k.environment }?.analysis
            }
            return CapacityCurvePair(scenario: k.scenario, environment: k.environment, current: side(current), baseline: side(baseline))
        }
    }
}
