import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine

extension PerfgateCommand {
    struct CapacityCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "capacity",
            abstract: "Capacity of a commit's campaign: latency, throughput and errors per load level, the knee, scaling.",
            discussion: """
                The runs of one commit, scenario and environment at different load levels form a campaign \
                (label them with `perfgate ingest FILE --profile NAME`, and --workers N). A run whose timeline climbs \
                through steady steps (k6 ramping-vus stages, a Locust LoadTestShape) gives one level per step. \
                The knee is the first load level from which p95 exceeds --p95-factor × its low-load level or \
                throughput grows by less than a quarter of the load's growth; it lies between the highest level \
                within the rule and the next one, and is "not reached" when every level is within it. Scaling \
                efficiency is throughput(n) / (n · throughput(1)) across --workers counts. The baseline is \
                --baseline, else the nearest stored ancestor with runs of the same scenario and environment. \
                With --budget, a "capacity": {"knee": "-10%"} rule fails (exit 2) when the knee moves to a \
                lower load by more than 10 %. See docs/capacity.md.

                Example:
                  perfgate capacity
                  perfgate capacity HEAD --baseline main --budget budgets.json --format json
                """)

        @Argument(help: ArgumentHelp("Commit (SHA, prefix, branch, HEAD~1); default: the newest stored commit.", valueName: "commit"))
        var commit: String?
        @Option(help: ArgumentHelp("Baseline commit (default: the nearest stored ancestor with a campaign).", valueName: "commit"))
        var baseline: String?
        @Option(help: "Only this scenario.") var scenario: String?
        @Option(help: "Only this environment.") var environment: String?
        @Option(name: [.customLong("budget"), .customLong("budgets")], help: ArgumentHelp("A budget file with a \"capacity\" rule.", valueName: "file"))
        var budget: String?
        @Option(name: .customLong("p95-factor"), help: ArgumentHelp("Past the knee when p95 exceeds this × its low-load level.", valueName: "x"))
        var p95Factor: Double = KneeRule.standard.p95Factor
        @Option(help: "Output: table, csv or json.") var format: TabularFormat = .table
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            guard p95Factor > 1, p95Factor.isFinite else { throw ValidationError("--p95-factor must be above 1, got \(p95Factor)") }
        }

        func run() async throws {
            try await withDiagnostics {
                let budgets = try budget.map(CheckEngine.loadBudgets(path:))
                if let budget, budgets?.capacity == nil {
                    throw PerfgateError(
                        .usage, "the budget file has no \"capacity\" rule",
                        notes: ["add \"capacity\": { \"knee\": \"-10%\" } to \(budget)"])
                }
                let store: any HistoryStore = try storeOptions.openForReading()
                let resolver = RevisionResolver(store: store)
                let sha: String
                if let commit {
                    sha = try resolver.resolve(commit)
                } else {
                    guard let newest = try store.runs(RunFilter(scenario: scenario, environment: environment, limit: 1)).first else {
                        throw PerfgateError(
                            .missingInput, "no stored runs" + (scenario.map { " of scenario \($0)" } ?? ""),
                            notes: ["store runs with `perfgate ingest FILE --profile NAME`"])
                    }
                    sha = newest.commit.sha
                }
                let rule = KneeRule(p95Factor: p95Factor, throughputGain: KneeRule.standard.throughputGain)
                let campaigns = try CapacityCampaign.withBaselines(
                    store: store, sha: sha, baselineSha: { try baseline.map { try resolver.resolve($0, what: "baseline commit") } },
                    scenario: scenario, environment: environment, rule: rule, budget: budgets?.capacity)
                guard !campaigns.isEmpty else {
                    throw PerfgateError(
                        .missingInput, "no stored runs for commit \(String(sha.prefix(12)))",
                        notes: ["`perfgate runs --store \(store.shellLocation)` lists the stored commits"])
                }
                Console.out(CapacityOutput.render(campaigns, format: format))
                if campaigns.contains(where: { $0.budget?.verdict == .fail }) { throw ExitStatus.gateFailed.exitCode }
                if campaigns.contains(where: { $0.budget?.verdict == .noBaseline }), budgets?.requireBaseline == true {
                    throw ExitStatus.baselineMissing.exitCode
                }
            }
        }
    }
}
