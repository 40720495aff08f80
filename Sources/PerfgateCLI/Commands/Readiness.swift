import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateStore

/// `--format` of `perfgate readiness`.
enum ReadinessFormat: String, ExpressibleByArgument, CaseIterable {
    case table, markdown, json
}

extension PerfgateCommand {
    struct ReadinessCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "readiness",
            abstract: "Release readiness of a commit, per scenario class: SLA, budget score, capacity and headroom, drift, server peaks.",
            discussion: """
                A scenario class is the --profile label runs were ingested with (normal, peak, stress, spike, \
                endurance or any name; runs without one form "unlabelled"). For each class of the commit's runs: \
                the budget file's rules that apply to them as the gate decides them (baseline runs of the same \
                class), the budget score (rules passed / rules evaluated; rules with insufficient data are counted \
                apart, never as passed), the knee of the commit's capacity campaign and its headroom over \
                --expected-peak, the drift of the endurance runs, and the highest p95 and maximum of each server \
                metric. Every number names its runs. The verdict is "ready" only when every applicable rule held \
                (and, with --expected-peak, the capacity is above it); "not ready" when a rule fails or the knee is \
                at or below the expected peak; "unknown" when something could not be evaluated. See docs/readiness.md.

                Exit codes: 0 ready, 2 not ready, 3 unknown, 64 usage or an unknown commit, 65 malformed budget file, 66 no runs or \
                no budget file, 74 store error.

                Example:
                  perfgate readiness HEAD --budget budgets.json --expected-peak 200
                  perfgate readiness --budget budgets.json --format markdown >> "$GITHUB_STEP_SUMMARY"
                """)

        @Argument(help: ArgumentHelp("Commit (SHA, prefix, branch, HEAD~1); default: $PERFGATE_COMMIT, else CI variables, else git HEAD.", valueName: "commit"))
        var commit: String?
        @Option(name: [.customLong("budget"), .customLong("budgets")], help: ArgumentHelp("The budget file whose rules are the SLA.", valueName: "file"))
        var budget: String?
        @Option(name: .customLong("expected-peak"), help: ArgumentHelp("Users the release must carry; headroom = capacity ÷ this.", valueName: "users"))
        var expectedPeak: Double?
        @Option(help: "Output: table, markdown or json.") var format: ReadinessFormat = .table
        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if let p = expectedPeak, !(p > 0 && p.isFinite) { throw ValidationError("--expected-peak must be a number of users above 0, got \(p)") }
        }

        func run() async throws {
            let status: ExitStatus = try await withDiagnostics {
                let budgets = try budget.map(CheckEngine.loadBudgets(path:))
                let store = try storeOptions.openForReading()
                // The commit as check resolves it; its branch comes from the stored runs.
                let revisions = RevisionResolver(store: store)
                let sha =
                    try commit.map { try revisions.resolve($0) }
                    ?? CommitResolver(environment: ProcessInfo.processInfo.environment, git: GitCLI()).resolve(
                        sha: nil, branch: nil, time: nil, revisions: revisions
                    ).sha
                let info = CommitInfo(sha: sha, branch: "")
                let report = try ReadinessInputs.report(store: store, git: GitCLI(), commit: info, budgets: budgets, budgetFile: budget, expectedPeak: expectedPeak)
                switch format {
                case .table: Console.out(report.table())
                case .markdown: Console.out(report.markdown())
                case .json: Console.out(report.json())
                }
                return report.verdict.exitStatus
            }
            if status != .success { throw ExitCode(status.rawValue) }
        }
    }
}
