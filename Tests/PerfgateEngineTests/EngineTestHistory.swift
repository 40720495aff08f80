import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateTestSupport

/// A commit graph in a fake git and results in the in-memory store, for the engine's unit tests.
/// Commit `n` has the SHA `0000000n000…` (distinct in its first 8 characters, as descriptions show
/// them) and was committed on day `n`.
struct EngineTestHistory {
    var git = FakeGitRepository()
    let store = InMemoryHistoryStore()

    static func sha(_ n: Int) -> String { String(format: "%08x", n) + String(repeating: "0", count: 32) }
    static func short(_ n: Int) -> String { String(format: "%08x", n) }
    static func day(_ n: Int) -> Date { Date(timeIntervalSince1970: 1_780_000_000 + Double(n) * 86_400) }

    /// Commit `n` with its parents, on `branch` (which then points at it), committed on day `n`.
    mutating func commit(_ n: Int, parents: [Int] = [], on branch: String) {
        git.commit(Self.sha(n), parents: parents.map(Self.sha), on: branch, time: Self.day(n), subject: "commit \(n)")
    }

    /// A straight line of commits on `branch`, each the first parent of the next.
    mutating func line(_ commits: ClosedRange<Int>, on branch: String) {
        for n in commits { commit(n, parents: n == commits.lowerBound ? [] : [n - 1], on: branch) }
    }

    /// Stores `count` runs of commit `n` (p95 = `p95`, the i-th run 1 % slower than the one before),
    /// with the commit's time and first parent as git knows them. Returns the run ids.
    @discardableResult
    func results(
        _ n: Int, branch: String = "main", p95: Double = 100, count: Int = 1, scenario: String = "s", environment: String = "ci",
        tool: String = "k6", parent: Int? = nil
    ) throws -> [Int64] {
        let sha = Self.sha(n)
        let parentSha = parent.map(Self.sha) ?? git.parent(sha)
        let items = (0..<count).map { i in
            RunToStore(
                run: IngestedRun(
                    tool: tool, format: "test", startedAt: Self.day(n).addingTimeInterval(Double(i)),
                    series: [
                        SeriesResult(
                            key: SeriesKey(endpoint: "GET /a", metric: "http_req_duration"), unit: .milliseconds, direction: .lowerIsBetter,
                            stats: [.p95: p95 * (1 + Double(i) / 100), .mean: p95 / 2])
                    ]),
                context: RunContext(
                    commit: CommitInfo(sha: sha, branch: branch, committedAt: git.commitTime(sha) ?? Self.day(n), parentSha: parentSha),
                    scenario: scenario, environment: environment,
                    sources: [SourceFile(path: "r\(i).json", digest: "sha256:\(n)-\(i)-\(scenario)-\(environment)-\(tool)", bytes: 1)],
                    ingestedAt: Self.day(n), perfgateVersion: "test"))
        }
        return try store.insertAll(items).map {
            switch $0 {
            case .inserted(let id, _), .duplicate(let id): return id
            }
        }
    }

    /// The runs of commit `n` as the gate sees them.
    func current(_ n: Int, environment: String? = nil) throws -> [GateRun] {
        let ids = try store.runRefs(RunRefQuery(environment: environment, commit: Self.sha(n))).map(\.id)
        return try CheckEngine(store: store, git: git).gateRuns(ids)
    }

    func commitInfo(_ n: Int, branch: String = "main", parent: Int? = nil) -> CommitInfo {
        CommitInfo(sha: Self.sha(n), branch: branch, committedAt: Self.day(n), parentSha: parent.map(Self.sha) ?? git.parent(Self.sha(n)))
    }

    func resolver(_ choice: BaselineResolver.Choice = .mergeBase, allowEnvironmentMismatch: Bool = false, window: Int = 30) -> BaselineResolver {
        BaselineResolver(
            store: store, git: git, base: "main", choice: choice, historyWindow: window, allowEnvironmentMismatch: allowEnvironmentMismatch)
    }

    /// The commits (as numbers) of gate runs, in order.
    static func commits(_ runs: [GateRun]) -> [Int] { runs.map { Int($0.commitSha.prefix(8), radix: 16)! } }
}
