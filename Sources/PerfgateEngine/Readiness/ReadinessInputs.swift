import Foundation
import PerfgateCore

/// The store reads behind `perfgate readiness` and the report's readiness section: a commit's runs with
/// their profile labels, its capacity campaigns (``CapacityCampaign``) and the gate on each class's runs.
/// Everything else is ``Readiness`` in Core.
package enum ReadinessInputs {
    /// The summary of `commit`'s runs. Throws 66 when the commit has no stored runs, 65 when a budget
    /// matches no series of the commit (as `check` would).
    package static func report(
        store: any HistoryStore, git: any GitRepository, commit: CommitInfo, budgets: BudgetSet?, budgetFile: String?, expectedPeak: Double?
    ) throws -> ReadinessReport {
        let stored = try store.runs(RunFilter(commit: commit.sha)).filter { $0.commit.sha == commit.sha }
        guard !stored.isEmpty else {
            throw PerfgateError(
                .missingInput, "no stored runs for commit \(commit.shortSha)",
                notes: ["`perfgate runs --store \(store.shellLocation)` lists the stored commits"])
        }
        // The commit as stored (branch, time, parent), which the baseline resolver reads as check's does.
        var info = stored[0].commit
        if !commit.branch.isEmpty { info.branch = commit.branch }
        let labels = try store.loadLabels(runIds: stored.map(\.id))
        let details = try stored.compactMap { try store.detail(runId: $0.id) }
        let campaigns = CapacityCampaign.campaigns(of: details, labels: labels, rule: .standard)
        var gate: [String: GateOutcome] = [:]
        if let budgets, let budgetFile {
            gate = try classGates(store: store, git: git, commit: info, budgets: budgets, budgetFile: budgetFile, labels: labels, runIds: stored.map(\.id))
        }
        return Readiness.assess(
            Readiness.Input(
                commit: info, runs: details.map { Readiness.Run(detail: $0, profile: labels[$0.run.id]?.profile) }, budgetFile: budgetFile,
                gate: gate, campaigns: campaigns.map { Readiness.Campaign(scenario: $0.scenario, environment: $0.environment, analysis: $0.analysis) },
                expectedPeak: expectedPeak))
    }

    /// The gate on each class's runs, with the budgets that select a series of the class, against the
    /// baseline runs of the same class (a stress run is never compared with a normal-load baseline).
    package static func classGates(
        store: any HistoryStore, git: any GitRepository, commit: CommitInfo, budgets: BudgetSet, budgetFile: String,
        labels: [Int64: RunLoadLabel], runIds: [Int64]
    ) throws -> [String: GateOutcome] {
        let engine = CheckEngine(store: store, git: git)
        let all = try engine.gateRuns(runIds)
        // A budget that matches nothing in the whole commit is an error, exactly as in check.
        try CheckEngine.validate(budgets: budgets, budgetsFile: budgetFile, current: all)
        let resolver = CheckEngine.resolver(source: store, git: engine.git, budgets: budgets, base: nil, choice: nil, allowEnvironmentMismatch: false)
        var out: [String: GateOutcome] = [:]
        for (name, ids) in Readiness.classes(runIds.map { ($0, labels[$0]?.profile) }) {
            let current = all.filter { ids.contains(Int64($0.id) ?? -1) }
            let matches = BudgetMatches(budgets: budgets, budgetsFile: budgetFile, current: current)
            var applicable = budgets
            applicable.budgets = zip(budgets.budgets, matches.matched).filter { !$0.1.isEmpty }.map(\.0)
            guard !applicable.budgets.isEmpty else { continue }
            var resolved = try resolver.resolve(current: current, commit: commit)
            let others = (resolved.baseline + resolved.history).compactMap { Int64($0.id) }
            let otherLabels = try store.loadLabels(runIds: Array(Set(others)))
            func sameClass(_ r: GateRun) -> Bool { Readiness.className(profile: Int64(r.id).flatMap { otherLabels[$0]?.profile }) == name }
            resolved.baseline = resolved.baseline.filter(sameClass)
            resolved.history = resolved.history.filter(sameClass)
            out[name] = try CheckEngine.gate(budgets: applicable, budgetsFile: budgetFile, current: current, resolved: resolved)
        }
        return out
    }
}
