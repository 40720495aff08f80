import Foundation
import PerfgateCore
import PerfgateIngest

/// `perfgate compare A B`: each side is a result file (read, not stored), a run id or a commit
/// (a stored SHA or prefix, or a revision git resolves); the two sides go through `Gate.compare`.
public struct CompareEngine {
    /// nil when both sides are files.
    public var store: (any HistoryStore)?
    public var git: any GitRepository

    public init(store: (any HistoryStore)?, git: any GitRepository) {
        self.store = store
        self.git = git
    }

    /// One side: its runs and how to name it.
    public struct Side {
        public var runs: [GateRun]
        public var label: String
    }

    /// The comparison of `a` (baseline) and `b` (current), with the sides' labels.
    public struct Result {
        public var outcome: GateOutcome
        public var a: Side
        public var b: Side
    }

    /// True when `text` names a file (then no store is needed for it).
    public static func isFile(_ text: String) -> Bool { FileManager.default.fileExists(atPath: text) }

    public func compare(_ a: String, _ b: String, metric: String, endpoint: String?) throws -> Result {
        let sideA = try side(a)
        var sideB = try side(b)
        // Align scenarios/environments: compare like with like; a file side adopts the other side's labels.
        sideB.runs = Self.align(sideB.runs, to: sideA.runs)
        guard
            let outcome = try Gate.compare(
                baseline: sideA.runs, current: sideB.runs, label: sideA.label, metrics: [metric], endpoint: endpoint)
        else {
            throw PerfgateError(.usage, "the two sides have no \(metric) statistics in common")
        }
        return Result(outcome: outcome, a: sideA, b: sideB)
    }

    /// Resolves one side to gate runs and a label: a file, else a run id (fewer than 7 characters, and
    /// stored), else a commit.
    public func side(_ text: String) throws -> Side {
        if Self.isFile(text) {
            let sets = try IngestPipeline.collect([text])
            var runs: [GateRun] = []
            for set in sets {
                let fmt = try InputFormat.detect(set.primary)
                let r = try fmt.adapter.parse(set)
                runs.append(GateRun(id: text, commitSha: "", scenario: r.scenario ?? r.tool, environment: "", tool: r.tool, series: r.series))
            }
            return Side(runs: runs, label: "file \(text)")
        }
        guard let store else { throw PerfgateError(.usage, "'\(text)' is not a file and there is no store") }
        let engine = CheckEngine(store: store, git: git)
        if let id = Int64(text), text.count < 7, let run = try store.run(id: id) {
            return Side(runs: try engine.gateRuns([id]), label: "run \(id) (commit \(run.commit.shortSha), \(run.scenario))")
        }
        let sha = try RevisionResolver(store: store, git: git).resolve(text)
        let ids = try store.runRefs(RunRefQuery(commit: sha)).map(\.id)
        let named = sha.hasPrefix(text.lowercased())
        guard !ids.isEmpty else {
            throw PerfgateError(
                .missingInput, "no results stored for commit \(sha.prefix(8))\(named ? "" : " ('\(text)')") in \(store.displayLocation)",
                notes: ["`perfgate runs --store \(store.shellLocation)` lists the stored commits"])
        }
        return Side(runs: try engine.gateRuns(ids), label: "commit \(sha.prefix(8))\(named ? "" : " (\(text))") (\(ids.count) runs)")
    }

    /// Gives runs read from files the scenario and environment of the other side when they lack them.
    public static func align(_ runs: [GateRun], to other: [GateRun]) -> [GateRun] {
        guard let ref = other.first else { return runs }
        return runs.map { r in
            var r = r
            if r.environment.isEmpty { r.environment = ref.environment }
            if !other.contains(where: { $0.scenario == r.scenario }) && other.count == 1 && runs.count == 1 { r.scenario = ref.scenario }
            // One run against one run: the user chose the pair, whatever tools wrote them.
            if other.count == 1 && runs.count == 1 { r.tool = ref.tool }
            return r
        }
    }
}
