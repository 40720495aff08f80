import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine

extension PerfgateCommand {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one run, or every run of a commit, in full.",
            discussion: """
                Every statistic of every series, the tool's thresholds and checks, and error counts.

                Example:
                  perfgate show 12
                  perfgate show 3f2a9c1 --format json
                  perfgate show HEAD~1
                """)

        @Argument(help: ArgumentHelp("A run id, or a commit: a SHA or prefix of a stored one, or a revision git resolves (HEAD, main, HEAD~1).", valueName: "run|commit"))
        var target: String
        @Option(help: "Output: table, csv or json.") var format: TabularFormat = .table
        @OptionGroup var storeOptions: StoreOptions

        func run() async throws {
            try await withDiagnostics {
                let store: any HistoryStore = try storeOptions.openForReading()
                var ids: [Int64] = []
                // A number is a run id unless it is also a unique commit prefix of 7+ hex digits.
                let looksLikeSha = target.count >= 7 && target.allSatisfy(\.isHexDigit)
                let shas = target.allSatisfy(\.isHexDigit) ? try store.commits(matching: target) : []
                if let id = Int64(target), try store.run(id: id) != nil, !(looksLikeSha && shas.count == 1) {
                    ids = [id]
                } else {
                    // A stored commit prefix, else a revision git resolves (HEAD, main, HEAD~1).
                    let sha = try RevisionResolver(store: store).resolve(target)
                    ids = try store.runs(RunFilter(commit: sha)).map(\.id).reversed()
                    guard !ids.isEmpty else {
                        throw PerfgateError(
                            .missingInput, "no results stored for commit \(sha.prefix(8))\(sha.hasPrefix(target.lowercased()) ? "" : " ('\(target)')") in \(store.displayLocation)",
                            notes: ["`perfgate runs --store \(store.shellLocation)` lists the stored commits"])
                    }
                }
                let details = try ids.compactMap { try store.detail(runId: $0) }
                switch format {
                case .json: Console.out(encodeJSON(details.map(RunJSON.init)))
                case .csv: Console.out(Self.statsTable(details).csv())
                case .table: Console.out(details.map(Self.text).joined(separator: "\n\n"))
                }
            }
        }

        static func statsTable(_ details: [StoredRunDetail]) -> Tabular {
            var rows: [[String]] = []
            var values: [[Cell]] = []
            for d in details {
                for s in d.result.series {
                    for (stat, v) in s.stats.sorted(by: { $0.key < $1.key }) {
                        rows.append([String(d.run.id), s.key.endpoint, s.key.metric, stat.rawValue, Formatting.value(v, unit: stat.unit(seriesUnit: s.unit))])
                        values.append([.integer(d.run.id), .text(s.key.endpoint), .text(s.key.metric), .text(stat.rawValue), .number(v), .text(stat.unit(seriesUnit: s.unit).rawValue)])
                    }
                }
            }
            return Tabular(columns: ["run", "endpoint", "metric", "stat", "value", "unit"], rows: rows, values: values)
        }

        static func text(_ d: StoredRunDetail) -> String {
            let r = d.run
            var out: [String] = []
            /// A line that carries names from input, escaped for the terminal.
            func add(_ line: String) { out.append(TerminalText.escape(line)) }
            add("run \(r.id)  commit \(r.commit.sha)  branch \(r.commit.branch)")
            add("  committed \(Formatting.timestamp(r.commit.committedAt))  started \(Formatting.timestamp(r.startedAt))  ingested \(Formatting.timestamp(r.ingestedAt))")
            add("  scenario \(r.scenario)  environment \(r.environment)  tool \(r.tool) \(r.toolVersion ?? "")  format \(r.format)  attempt \(r.attempt)")
            var load: [String] = []
            if let v = r.vus { load.append("vus \(v)") }
            if let v = r.maxVUs { load.append("max vus \(v)") }
            if let s = r.durationSeconds { load.append("duration \(Formatting.fixed(s, 1)) s") }
            if !load.isEmpty { add("  " + load.joined(separator: "  ")) }
            if !r.tags.isEmpty { add("  tags " + r.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) }
            for s in r.sources { add("  source \(s.path) \(s.digest) (\(s.bytes) bytes)") }
            add("")
            // Latency-like series as a wide table; everything else as name=value lists.
            let wide: [Statistic] = [.count, .mean, .min, .p50, .p90, .p95, .p99, .max, .errorRate, .throughput]
            let trends = d.result.series.filter { $0.stats[.mean] != nil || $0.stats[.p95] != nil }
            if !trends.isEmpty {
                let rows = trends.map { s in
                    [s.key.endpoint.isEmpty ? "(all)" : s.key.endpoint, s.key.metric]
                        + wide.map { st in s.stats[st].map { Formatting.value($0, unit: st.unit(seriesUnit: s.unit)) } ?? "" }
                }
                let t = Tabular(columns: ["endpoint", "metric"] + wide.map(\.rawValue), rows: rows, values: [], numeric: Set(2..<(2 + wide.count)))
                out.append(t.table())  // escaped by Tabular
            }
            let others = d.result.series.filter { $0.stats[.mean] == nil && $0.stats[.p95] == nil }
            if !others.isEmpty {
                add("")
                for s in others {
                    let stats = s.stats.sorted { $0.key < $1.key }.map { "\($0.key)=\(Formatting.value($0.value, unit: $0.key.unit(seriesUnit: s.unit)))" }
                    add("  \(s.key)  " + stats.joined(separator: "  "))
                }
            }
            let extras = d.result.series.flatMap { s in s.stats.keys.filter { $0.isPercentile && !wide.contains($0) }.map { _ in s } }
            if !extras.isEmpty {
                add("")
                add("other percentiles:")
                for s in trends {
                    let ps = s.stats.filter { $0.key.isPercentile && !wide.contains($0.key) }.sorted { $0.key < $1.key }
                    if ps.isEmpty { continue }
                    add("  \(s.key)  " + ps.map { "\($0.key)=\(Formatting.value($0.value, unit: s.unit))" }.joined(separator: "  "))
                }
            }
            if !d.result.thresholds.isEmpty {
                add("")
                add("thresholds (as the tool evaluated them):")
                for t in d.result.thresholds { add("  \(t.passed ? "pass" : "FAIL")  \(t.metric)  \(t.expression)") }
            }
            if !d.result.checks.isEmpty {
                add("")
                add("checks:")
                for c in d.result.checks { add("  \(c.fails == 0 ? "pass" : "FAIL")  \(c.group.isEmpty ? "" : c.group + " ")\(c.name)  \(c.passes) passed, \(c.fails) failed") }
            }
            if !d.result.errors.isEmpty {
                add("")
                add("errors:")
                for e in d.result.errors { add("  \(e.occurrences)×  \(e.endpoint.isEmpty ? "" : e.endpoint + ": ")\(e.message)") }
            }
            return out.joined(separator: "\n")
        }
    }
}

/// The JSON shape of `show --format json`.
struct RunJSON: Encodable {
    let run: StoredRun
    let series: [SeriesJSON]
    let thresholds: [ThresholdResult]
    let checks: [CheckResult]
    let errors: [ErrorResult]

    struct SeriesJSON: Encodable {
        let endpoint: String
        let metric: String
        let unit: String
        let direction: String
        let stats: [String: Double]
        let distributionCount: UInt64?
    }

    init(_ d: StoredRunDetail) {
        run = d.run
        series = d.result.series.map {
            SeriesJSON(
                endpoint: $0.key.endpoint, metric: $0.key.metric, unit: $0.unit.rawValue, direction: $0.direction.rawValue,
                stats: Dictionary(uniqueKeysWithValues: $0.stats.map { ($0.key.rawValue, $0.value) }),
                distributionCount: $0.distribution?.count)
        }
        thresholds = d.result.thresholds
        checks = d.result.checks
        errors = d.result.errors
    }
}
