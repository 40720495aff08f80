import Foundation
import PerfgateCore
import PerfgateReport

/// A small, fully deterministic history: 30 commits on main and 2 on a feature branch, one day apart.
/// `GET /api/cart` steps up by about 40 % at main commit 20 (a change point) and its p95 spikes at the
/// newest commit; an endpoint is named like an XSS payload; a custom `memory` metric has only a `value`;
/// k6's `http_req_blocked` (a tool internal) jumps by 140 % at the newest commit and must never lead a page.
struct SyntheticHistory: ReportSource {
    static let payload = "<img src=x onerror=alert(1)>"
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    var runList: [ReportRun] = []
    var seriesList: [ReportSeries] = []
    var pointsBySeries: [ReportSeries: [SeriesPoint]] = [:]
    var details: [Int64: StoredRunDetail] = [:]

    static func sha(_ i: Int, branch: String) -> String {
        let seed = (branch == "main" ? "a" : "b") + String(i)
        var h: UInt64 = 1_469_598_103_934_665_603
        for b in seed.utf8 { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        let hex = String(h, radix: 16)
        let block = String(repeating: "0", count: 16 - hex.count) + hex
        return String((block + block + block).prefix(40))
    }

    static let cart = ReportSeries(
        scenario: "checkout", environment: "ci", key: SeriesKey(endpoint: "GET /api/cart", metric: "http_req_duration"),
        unit: .milliseconds, direction: .lowerIsBetter)
    static let hostile = ReportSeries(
        scenario: "checkout", environment: "ci", key: SeriesKey(endpoint: payload, metric: "http_req_duration"),
        unit: .milliseconds, direction: .lowerIsBetter)
    static let memory = ReportSeries(
        scenario: "checkout", environment: "ci", key: SeriesKey(endpoint: "", metric: "memory"), unit: .bytes,
        direction: .lowerIsBetter)
    static let blocked = ReportSeries(
        scenario: "checkout", environment: "ci", key: SeriesKey(endpoint: "", metric: "http_req_blocked"), unit: .milliseconds,
        direction: .lowerIsBetter)

    /// `fromThroughput`/`toThroughput` and latency means let release tests pin exact figures.
    init() {
        var id: Int64 = 0
        var commits: [(CommitInfo, Int)] = []
        for i in 1...30 {
            commits.append((CommitInfo(sha: Self.sha(i, branch: "main"), branch: "main", committedAt: Self.epoch.addingTimeInterval(Double(i) * 86_400)), i))
        }
        for i in 1...2 {
            commits.append((CommitInfo(sha: Self.sha(i, branch: "feature"), branch: "feature/<b>bold</b>", committedAt: Self.epoch.addingTimeInterval(Double(i) * 86_400 + 43_200 + 20 * 86_400)), 20 + i))
        }
        seriesList = [Self.cart, Self.hostile, Self.memory, Self.blocked]
        for (commit, i) in commits {
            id += 1
            let run = ReportRun(id: id, commit: commit, scenario: "checkout", environment: "ci", tool: "k6", startedAt: commit.committedAt?.addingTimeInterval(600))
            runList.append(run)
            let jitter = Double((i * 7) % 5) - 2  // -2…2, deterministic
            let level = i >= 20 && commit.branch == "main" ? 70.0 : 50.0
            let spike = i == 30 ? 25.0 : 0
            let cart = SeriesPoint(
                runId: id, p50: level * 0.6 + jitter / 2, p95: level + jitter + spike, p99: level * 1.5 + jitter, mean: level * 0.7,
                count: 1000, errorRate: i == 30 ? 0.02 : 0.001, throughput: i >= 20 && commit.branch == "main" ? 80 : 100)
            let hostile = SeriesPoint(runId: id, p50: 10 + jitter / 4, p95: 20 + jitter / 2, p99: 30, mean: 12, count: 500, errorRate: 0, throughput: 50)
            let memory = SeriesPoint(runId: id, value: 256 * 1024 * 1024 + jitter * 1024 * 1024)
            pointsBySeries[Self.cart, default: []].append(cart)
            pointsBySeries[Self.hostile, default: []].append(hostile)
            pointsBySeries[Self.memory, default: []].append(memory)
            // Noisy: the newest +140 % is within its run-to-run spread.
            let blocked = SeriesPoint(runId: id, p50: 0.01, p95: i == 30 ? 0.24 : 0.05 * pow(3, jitter), p99: 0.2, mean: 0.02)
            pointsBySeries[Self.blocked, default: []].append(blocked)
            let stored = StoredRun(
                id: id, commit: commit, scenario: "checkout", environment: "ci", tool: "k6", toolVersion: "1.1.0",
                format: "k6-summary", startedAt: run.startedAt, durationSeconds: 30, vus: 10, maxVUs: 10,
                ingestedAt: Self.epoch, attempt: 1, tags: ["note": Self.payload], sources: [SourceFile(path: "results/\(Self.payload).json", digest: "sha256:00", bytes: 42)])
            let result = IngestedRun(
                tool: "k6", toolVersion: "1.1.0", format: "k6-summary", scenario: "checkout",
                series: [
                    SeriesResult(key: Self.cart.key, unit: .milliseconds, direction: .lowerIsBetter, stats: [.p95: cart.p95 ?? 0, .p50: cart.p50 ?? 0, .count: 1000]),
                    SeriesResult(key: Self.hostile.key, unit: .milliseconds, direction: .lowerIsBetter, stats: [.p95: hostile.p95 ?? 0]),
                    SeriesResult(key: Self.blocked.key, unit: .milliseconds, direction: .lowerIsBetter, stats: [.p95: blocked.p95 ?? 0]),
                ],
                thresholds: [ThresholdResult(metric: "http_req_duration{name:\(Self.payload)}", expression: "p(95)<200", passed: true)],
                checks: [CheckResult(group: "", name: Self.payload, passes: 99, fails: 1)],
                errors: [ErrorResult(endpoint: Self.payload, message: "HTTP 500 \(Self.payload)", occurrences: 1)])
            details[id] = StoredRunDetail(run: stored, result: result)
        }
    }

    func runs() throws -> [ReportRun] { runList.reversed() }
    func series() throws -> [ReportSeries] { seriesList.reversed() }
    func points(of series: ReportSeries) throws -> [SeriesPoint] { pointsBySeries[series] ?? [] }
    func detail(runId: Int64) throws -> StoredRunDetail? { details[runId] }

    /// The runs of a commit as the gate reads them: every kept statistic of every series.
    func gateRuns(commit sha: String) throws -> [GateRun] {
        runList.filter { $0.commit.sha == sha }.map { run in
            let series = seriesList.compactMap { s -> SeriesResult? in
                guard let p = pointsBySeries[s]?.first(where: { $0.runId == run.id }) else { return nil }
                var stats: [Statistic: Double] = [:]
                for st in SeriesPoint.statistics { if let v = p.get(st) { stats[st] = v } }
                if let c = p.count, let e = p.errorRate { stats[.errors] = (c * e).rounded() }
                return SeriesResult(key: s.key, unit: s.unit, direction: s.direction, stats: stats)
            }
            return GateRun(id: String(run.id), commitSha: sha, scenario: run.scenario, environment: run.environment, tool: run.tool, series: series)
        }
    }

    static let context = ReportContext(
        generatedAt: Date(timeIntervalSince1970: 1_801_000_000), toolVersion: "9.9.9-test",
        commitURLTemplate: "https://example.com/repo/commit/{sha}", baseBranch: "main", baselineWindow: 4)

    static let costModel = CostModel(
        trafficPerMonth: 100_000_000, costPerInstanceHour: 0.5, instances: 10, valueOf100msPerMonth: 1000)

    /// Renders the whole site (and a release summary from main commit 15 to 30) into memory.
    static func render(costModel: CostModel? = SyntheticHistory.costModel, templates: TemplateLibrary? = nil) throws -> [String: String] {
        let h = SyntheticHistory()
        let from = h.runList[14].commit
        let to = h.runList[29].commit
        let options = SiteOptions(
            release: ReleaseRequest(from: from, to: to, fromLabel: "v1.0.0", toLabel: "v1.1.0", costModel: costModel))
        var sink = MemorySink()
        _ = try SiteBuilder(context: context, templates: try templates ?? TemplateLibrary(), options: options).build(from: h, into: &sink)
        return sink.pages
    }
}
