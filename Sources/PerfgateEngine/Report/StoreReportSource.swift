import Foundation
import PerfgateCore

/// A commit the user named (full or short SHA, tag, branch, HEAD~1) with stored runs, through the
/// one ``RevisionResolver``.
package struct ReportCommits {
    package var store: any HistoryStore
    package var git: any GitRepository
    package var runs: [ReportRun]

    package init(store: any HistoryStore, git: any GitRepository, runs: [ReportRun]) {
        self.store = store
        self.git = git
        self.runs = runs
    }

    package func resolve(_ name: String) throws -> CommitInfo {
        let sha = try RevisionResolver(store: store, git: git).resolve(name)
        guard let run = runs.filter({ $0.commit.sha == sha }).first else {
            throw PerfgateError(.missingInput, "no results stored for \(name) (\(sha.prefix(8)))", notes: ["ingest results for that commit first"])
        }
        return run.commit
    }
}

/// The report's view of the store (through the ``HistoryStore`` port): runs and series up front, one
/// series' points at a time.
package struct StoreReportSource: ReportSource {
    package var store: any HistoryStore
    /// For ``CheckEngine``, which reads the compared commits' runs.
    package var git: any GitRepository
    private var occurrences: [ReportSeries: Int64] = [:]
    private var cachedRuns: [ReportRun]

    package init(store: any HistoryStore, git: any GitRepository) throws {
        self.store = store
        self.git = git
        cachedRuns = try store.runRefs(RunRefQuery(limit: Int.max)).map {
            ReportRun(
                id: $0.id, commit: CommitInfo(sha: $0.commitSha, branch: $0.branch, committedAt: $0.committedAt),
                scenario: $0.scenario, environment: $0.environment, tool: $0.tool, startedAt: $0.startedAt)
        }
        for o in try store.seriesOccurrences() {
            let s = ReportSeries(scenario: o.scenario, environment: o.environment, key: o.key, unit: o.unit, direction: o.direction)
            occurrences[s] = o.seriesId
        }
    }

    package func runs() throws -> [ReportRun] { cachedRuns }

    package func series() throws -> [ReportSeries] { occurrences.keys.sorted() }

    package func points(of series: ReportSeries) throws -> [SeriesPoint] {
        guard let id = occurrences[series] else { return [] }
        var out: [SeriesPoint] = []
        try store.seriesValues(seriesId: id, environment: series.environment, statistics: SeriesPoint.statistics) { v in
            if out.last?.runId != v.runId { out.append(SeriesPoint(runId: v.runId)) }
            out[out.count - 1].set(v.statistic, v.value)
        }
        return out
    }

    package func detail(runId: Int64) throws -> StoredRunDetail? { try store.detail(runId: runId) }

    package func runStamps() throws -> [Int64: String]? { try store.runStamps() }

    /// The same runs `perfgate compare A B` reads for a commit.
    package func gateRuns(commit sha: String) throws -> [GateRun] {
        try CheckEngine(store: store, git: git).gateRuns(cachedRuns.filter { $0.commit.sha == sha }.map(\.id))
    }
}
