import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine

extension PerfgateCommand {
    struct Baseline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "baseline",
            abstract: "Pin, list and show baselines in Baselines/ (reviewed in pull requests like code).",
            subcommands: [Save.self, List.self, Show.self])

        struct Save: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "save",
                abstract: "Write Baselines/NAME.json from stored runs (median of each statistic).",
                discussion: """
                    Takes the runs of --commit, or else the last --window runs of --branch, for one environment. \
                    The file is pretty-printed with sorted keys and no timestamps, so its diff shows exactly \
                    which numbers moved.

                    Example:
                      perfgate baseline save release-1.2 --branch main --window 5 --environment ci
                    """)
            @Argument(help: "Baseline name (file Baselines/NAME.json) or a path ending in .json.") var name: String
            @Option(help: "Take the runs of this commit.") var commit: String?
            @Option(help: "Take the newest runs of this branch.") var branch: String = "main"
            @Option(help: "How many newest runs per scenario.") var window: Int = 5
            @Option(help: "Only this scenario.") var scenario: String?
            @Option(help: "Environment (default: the environment of the newest matching run).") var environment: String?
            @OptionGroup var storeOptions: StoreOptions

            func run() async throws {
                try await withDiagnostics {
                    let store: any HistoryStore = try storeOptions.openForReading()
                    var sha: String?
                    if let c = commit { sha = try RevisionResolver(store: store).resolve(c) }
                    var refs = try store.runRefs(RunRefQuery(branch: sha == nil ? branch : nil, scenario: scenario, environment: environment, commit: sha))
                    guard let env = environment ?? refs.first?.environment else {
                        throw PerfgateError(.usage, "no stored runs match (branch \(branch)\(sha.map { ", commit \($0.prefix(8))" } ?? ""))")
                    }
                    refs = refs.filter { $0.environment == env }
                    var chosen: [RunRef] = []
                    for s in Set(refs.map(\.scenario)).sorted() { chosen += refs.filter { $0.scenario == s }.prefix(window) }
                    let data = try store.series(runIds: chosen.map(\.id), withDistributions: false)
                    let file = BaselineFile.from(
                        name: (name as NSString).lastPathComponent.replacingOccurrences(of: ".json", with: ""),
                        branch: sha == nil ? branch : (chosen.first?.branch ?? branch),
                        runs: chosen.map { ($0.scenario, $0.tool, $0.commitSha, data[$0.id] ?? []) }, environment: env)
                    let path = BaselineStore.path(for: name)
                    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try file.encoded().write(to: URL(fileURLWithPath: path))
                    Console.out("wrote \(path): \(chosen.count) runs, \(file.scenarios.count) scenarios, environment \(env)")
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list",
                abstract: "List pinned baselines.",
                discussion: "Example:\n  perfgate baseline list")
            @Option(help: "Output: table, csv or json.") var format: TabularFormat = .table

            func run() async throws {
                try await withDiagnostics {
                    let dir = (BaselineStore.path(for: "x") as NSString).deletingLastPathComponent
                    let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
                    var rows: [[String]] = []
                    var values: [[Cell]] = []
                    for n in names {
                        let path = "\(dir)/\(n)"
                        let data = FileManager.default.contents(atPath: path) ?? Data()
                        let f = try BaselineFile.decode(data, file: path)
                        let series = f.scenarios.values.reduce(0) { $0 + $1.series.count }
                        rows.append([f.name, f.branch, f.environment, f.commits.map { String($0.prefix(8)) }.joined(separator: " "), String(f.runs), String(series)])
                        values.append([.text(f.name), .text(f.branch), .text(f.environment), .text(f.commits.joined(separator: " ")), .integer(Int64(f.runs)), .integer(Int64(series))])
                    }
                    Console.out(Tabular(columns: ["name", "branch", "environment", "commits", "runs", "series"], rows: rows, values: values, numeric: [4, 5]).render(format))
                }
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "show",
                abstract: "Show a pinned baseline's numbers.",
                discussion: "Example:\n  perfgate baseline show release-1.2")
            @Argument(help: "Baseline name or path.") var name: String
            @Option(help: "Output: table, csv or json.") var format: TabularFormat = .table

            func run() async throws {
                try await withDiagnostics {
                    let path = BaselineStore.path(for: name)
                    guard let data = FileManager.default.contents(atPath: path) else {
                        throw PerfgateError(.missingInput, "no such baseline", at: SourceLocation(file: path))
                    }
                    let f = try BaselineFile.decode(data, file: path)
                    var rows: [[String]] = []
                    var values: [[Cell]] = []
                    for scen in f.scenarios.keys.sorted() {
                        for s in f.scenarios[scen]?.series ?? [] {
                            let unit = MetricUnit(rawValue: s.unit) ?? .none
                            for (k, v) in s.stats.sorted(by: { Statistic(rawValue: $0.key) < Statistic(rawValue: $1.key) }) {
                                let st = Statistic(rawValue: k)
                                rows.append([scen, s.endpoint.isEmpty ? "(all)" : s.endpoint, s.metric, k, Formatting.value(v, unit: st.unit(seriesUnit: unit))])
                                values.append([.text(scen), .text(s.endpoint), .text(s.metric), .text(k), .number(v)])
                            }
                        }
                    }
                    if format == .table { Console.out("\(f.name): \(f.branch) @ \(f.commits.map { String($0.prefix(8)) }.joined(separator: ", ")), \(f.runs) runs, environment \(f.environment)\n") }
                    Console.out(Tabular(columns: ["scenario", "endpoint", "metric", "stat", "value"], rows: rows, values: values, numeric: [4]).render(format))
                }
            }
        }
    }
}
