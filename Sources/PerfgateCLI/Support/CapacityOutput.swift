import Foundation
import PerfgateCore
import PerfgateEngine

/// `perfgate capacity` output: per campaign the load table, the knee (and the baseline's), the budget's
/// decision and the scaling table; CSV has one row per load level, JSON one object per campaign.
enum CapacityOutput {
    static func render(_ campaigns: [CapacityCampaign], format: TabularFormat) -> String {
        switch format {
        case .table: return campaigns.map(table).joined(separator: "\n\n")
        case .csv: return levelsTabular(campaigns).csv()
        case .json: return json(campaigns)
        }
    }

    static func levelName(_ l: LoadLevel, stepped: Bool) -> String {
        if let p = l.profile, !stepped { return p }
        if let span = l.span {
            return "step \(Formatting.fixed(span.lowerBound, 0))–\(Formatting.fixed(span.upperBound, 0)) s"
        }
        return l.runIds.count == 1 ? "run \(l.runIds[0])" : "runs " + l.runIds.map(String.init).joined(separator: ",")
    }

    static func ms(_ v: Double?) -> String { v.map { Formatting.value($0, unit: .milliseconds) } ?? "—" }

    static func table(_ c: CapacityCampaign) -> String {
        let a = c.analysis
        var out: [String] = []
        var head = "capacity · scenario \(c.scenario) · environment \(c.environment) · commit \(c.commit.shortSha)"
        if !c.steppedRuns.isEmpty { head += " · stepped run " + c.steppedRuns.map(String.init).joined(separator: ", ") }
        out.append(TerminalText.escape(head))
        let rows = a.levels.map { l in
            [
                levelName(l, stepped: l.span != nil), Formatting.value(l.users, unit: .count),
                l.workers.map(String.init) ?? "—", l.requestsPerSecond.map { Formatting.fixed($0, 1) } ?? "—", ms(l.p50), ms(l.p95),
                ms(l.p99), l.errorRate.map { Formatting.value($0, unit: .ratio) } ?? "—", a.assessment(of: l).rawValue,
            ]
        }
        let t = Tabular(
            columns: ["load level", "users", "workers", "requests/s", "p50", "p95", "p99", "error rate", "assessment"],
            rows: rows, values: [], numeric: [1, 2, 3, 4, 5, 6, 7])
        out.append(t.table())
        out.append(TerminalText.escape("knee: " + a.knee.summary))
        out.append(TerminalText.escape(a.saturation.words))
        let low = a.lowLoadP95.map { " (\(ms($0)))" } ?? ""
        out.append(
            "rule: past the knee when p95 > \(Formatting.value(a.rule.p95Factor, unit: .count)) × the lowest level's p95\(low) "
                + "or throughput grows by less than \(Formatting.value(a.rule.throughputGain * 100, unit: .count))% of the load's growth")
        if let b = c.baseline {
            out.append(TerminalText.escape("baseline \(b.commit.shortSha): " + b.analysis.knee.summary))
        } else {
            out.append("baseline: none (no stored ancestor with a campaign of this scenario and environment)")
        }
        if let k = c.budget { out.append(TerminalText.escape("\(k.rule): \(k.label) — \(k.detail)")) }
        if !c.runsWithoutLoad.isEmpty {
            out.append(
                "left out: run " + c.runsWithoutLoad.map(String.init).joined(separator: ", ")
                    + " (the file records no users; ingest a file with the user count, e.g. Locust's _stats_history.csv)")
        }
        if !a.scaling.isEmpty {
            let rows = a.scaling.map { p in
                [String(p.workers), Formatting.fixed(p.requestsPerSecond, 1), p.efficiency.map { Formatting.fixed($0 * 100, 1) + "%" } ?? "— (no 1-worker run)"]
            }
            out.append("")
            out.append("scaling (throughput(n) / (n · throughput(1)))")
            out.append(Tabular(columns: ["workers", "requests/s", "efficiency"], rows: rows, values: [], numeric: [0, 1, 2]).table())
        }
        return out.joined(separator: "\n")
    }

    static func levelsTabular(_ campaigns: [CapacityCampaign]) -> Tabular {
        var values: [[Cell]] = []
        for c in campaigns {
            for l in c.analysis.levels {
                values.append([
                    .text(c.commit.sha), .text(c.scenario), .text(c.environment), .text(levelName(l, stepped: l.span != nil)),
                    .number(l.users), l.workers.map { .integer(Int64($0)) } ?? .null, l.profile.map(Cell.text) ?? .null,
                    l.requestsPerSecond.map(Cell.number) ?? .null, l.p50.map(Cell.number) ?? .null, l.p95.map(Cell.number) ?? .null,
                    l.p99.map(Cell.number) ?? .null, l.errorRate.map(Cell.number) ?? .null,
                    .text(c.analysis.assessment(of: l).rawValue), .text(c.analysis.knee.summary),
                    .text(l.runIds.map(String.init).joined(separator: " ")),
                ])
            }
        }
        return Tabular(
            columns: [
                "commit", "scenario", "environment", "load_level", "users", "workers", "profile", "requests_per_s", "p50_ms",
                "p95_ms", "p99_ms", "error_rate", "assessment", "knee", "runs",
            ], rows: values.map { $0.map(\.display) }, values: values)
    }

    struct KneeJSON: Encodable {
        var status: String
        var summary: String
        var lastWithin: Double?
        var firstPast: Double?
        var highest: Double?
        var reasons: [String]?

        init(_ k: Knee) {
            summary = k.summary
            switch k {
            case .found(let a, let b, let r): (status, lastWithin, firstPast, reasons) = ("found", a, b, r.map(\.rawValue))
            case .notReached(let h): (status, highest) = ("not reached", h)
            case .notMeasured: status = "not measured"
            }
        }
    }

    struct LevelJSON: Encodable {
        var name: String
        var users: Double
        var workers: Int?
        var profile: String?
        var requests: Double
        var requestsPerSecond: Double?
        var p50: Double?
        var p95: Double?
        var p99: Double?
        var errorRate: Double?
        var assessment: String
        var runs: [Int64]
        var spanSeconds: [Double]?
    }

    struct CampaignJSON: Encodable {
        var commit: String
        var scenario: String
        var environment: String
        var steppedRuns: [Int64]
        var runsWithoutLoad: [Int64]
        var rule: KneeRule
        var lowLoadP95: Double?
        var levels: [LevelJSON]
        var knee: KneeJSON
        /// ``Saturation/words``: where throughput stops growing while p95 keeps rising.
        var saturation: String
        var baseline: BaselineJSON?
        var budget: BudgetJSON?
        var scaling: [ScalingPoint]
    }

    struct BaselineJSON: Encodable {
        var commit: String
        var knee: KneeJSON
    }

    struct BudgetJSON: Encodable {
        var rule: String
        var verdict: String
        var label: String
        var detail: String
    }

    static func json(_ campaigns: [CapacityCampaign]) -> String {
        let docs = campaigns.map { c in
            CampaignJSON(
                commit: c.commit.sha, scenario: c.scenario, environment: c.environment, steppedRuns: c.steppedRuns,
                runsWithoutLoad: c.runsWithoutLoad, rule: c.analysis.rule, lowLoadP95: c.analysis.lowLoadP95,
                levels: c.analysis.levels.map { l in
                    LevelJSON(
                        name: levelName(l, stepped: l.span != nil), users: l.users, workers: l.workers, profile: l.profile,
                        requests: l.requests, requestsPerSecond: l.requestsPerSecond, p50: l.p50, p95: l.p95, p99: l.p99,
                        errorRate: l.errorRate, assessment: c.analysis.assessment(of: l).rawValue, runs: l.runIds,
                        spanSeconds: l.span.map { [$0.lowerBound, $0.upperBound] })
                }, knee: KneeJSON(c.analysis.knee), saturation: c.analysis.saturation.words,
                baseline: c.baseline.map { BaselineJSON(commit: $0.commit.sha, knee: KneeJSON($0.analysis.knee)) },
                budget: c.budget.map { BudgetJSON(rule: $0.rule, verdict: $0.verdict.rawValue, label: $0.label, detail: $0.detail) },
                scaling: c.analysis.scaling)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(docs)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
