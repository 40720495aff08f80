import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateStore

extension PerfgateCommand {
    struct Tune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tune",
            abstract: "Back-test a budget file on the stored history: false alarms, caught and missed changes, better limits.",
            discussion: """
                Replays the gate over the base branch's history: every commit (first-parent order from git, \
                else the parent links or commit times stored with the runs) is checked, as perfgate check \
                would have checked it when it landed, against the baseline it had then — the same baseline \
                choice, statistics and gate, nothing from its future. Change-point detection over the whole \
                history (as perfgate detect) finds the lasting level changes: a failure at one, or on the \
                commit after it, is a likely true alarm; any other failure a likely false alarm; a lasting \
                regression of at least --min-change that no rule failed on is a miss. Improvements are \
                never alarms.

                For each relative, statistical and absolute rule it finds the smallest limit whose false \
                alarms stay within --target-false-alarms and the largest that still catches every lasting \
                regression of at least --min-change, says when these conflict, suggests a limit between \
                them, replays the suggested budget to confirm, and prints it as a diff. A noise profile per series gives the run-to-run \
                spread, the resolution and the runs per commit needed to see a 5 % or 10 % change. The budget \
                file is never modified; --write-suggestions writes the suggested one elsewhere. See docs/tune.md.

                Exit codes: 0 done, 64 usage, 65 malformed budget file, 66 missing input or no history, 74 store error.

                Example:
                  perfgate tune --budget budgets.json --last 200 --write-suggestions budgets.tuned.json
                """)

        @Option(name: [.customLong("budget"), .customLong("budgets")], help: ArgumentHelp("The budget file to back-test.", valueName: "file"))
        var budget: String

        @Option(help: ArgumentHelp("Base branch to replay (default: the budget file's baseline branch, else main).", valueName: "branch"))
        var branch: String?

        @Option(help: ArgumentHelp("Replay only the newest N commits (older ones still serve as baselines).", valueName: "n"))
        var last: Int?

        @Option(help: ArgumentHelp("Only runs of this environment (default: every environment, each compared with its own).", valueName: "name"))
        var environment: String?

        @Option(help: "Output: table, json or markdown.")
        var format: TuneFormat = .table

        @Option(
            name: .customLong("target-false-alarms"),
            help: ArgumentHelp("False alarms accepted, per commit: 1/100, 1% or 0.01.", valueName: "rate"))
        var targetFalseAlarms: String = "1/100"

        @Option(name: .customLong("min-change"), help: ArgumentHelp("Smallest lasting regression a budget must catch: 10% or 0.1.", valueName: "pct"))
        var minChange: String = "10%"

        @Option(
            name: .customLong("write-suggestions"),
            help: ArgumentHelp("Write the budget file with the suggested limits here (never over the input).", valueName: "file"))
        var writeSuggestions: String?

        @OptionGroup var steadyState: SteadyStateOption

        @OptionGroup var storeOptions: StoreOptions

        enum TuneFormat: String, ExpressibleByArgument, CaseIterable { case table, json, markdown }

        func validate() throws {
            if let n = last, n < 1 { throw ValidationError("--last must be at least 1") }
            guard let t = Self.fraction(targetFalseAlarms), t >= 0, t < 1 else {
                throw ValidationError("--target-false-alarms expects a rate such as 1/100, 1% or 0.01, got '\(targetFalseAlarms)'")
            }
            _ = t
            guard let m = Self.fraction(minChange), m > 0 else {
                throw ValidationError("--min-change expects a percentage such as 10% (or 0.1), got '\(minChange)'")
            }
            _ = m
            if let w = writeSuggestions, Self.samePath(w, budget) {
                throw ValidationError("--write-suggestions must name another file: tune never modifies \(budget)")
            }
        }

        /// `1/100`, `1%`, `0.01` → 0.01.
        static func fraction(_ text: String) -> Double? {
            let t = text.trimmingCharacters(in: .whitespaces)
            if let slash = t.firstIndex(of: "/") {
                guard let a = Double(t[..<slash]), let b = Double(t[t.index(after: slash)...]), b > 0 else { return nil }
                return a / b
            }
            if t.hasSuffix("%") { return Double(t.dropLast()).map { $0 / 100 } }
            return Double(t)
        }

        static func samePath(_ a: String, _ b: String) -> Bool {
            URL(fileURLWithPath: a).standardizedFileURL.resolvingSymlinksInPath().path
                == URL(fileURLWithPath: b).standardizedFileURL.resolvingSymlinksInPath().path
        }

        func run() async throws {
            try await withDiagnostics {
                var budgets = try CheckEngine.loadBudgets(path: budget)
                steadyState.apply(to: &budgets)
                let store = try storeOptions.openForReading()
                let base = branch ?? budgets.baseline.branch
                var options = Backtest.Options(minChange: Self.fraction(minChange) ?? 0.10, targetFalseAlarms: Self.fraction(targetFalseAlarms) ?? 0.01)
                options.candidates = Backtest.candidates
                let result = try await TuneEngine.backtest(
                    store: store, git: GitCLI(), budgets: budgets, budgetsFile: budget, base: base, environment: environment, options: options, last: last)
                var diff: String?
                if let suggested = result.suggested {
                    let text = (try? String(contentsOfFile: budget, encoding: .utf8)) ?? ""
                    let changes = BudgetRewrite.changes(from: budgets, to: suggested)
                    let rewritten = BudgetRewrite.rewrite(text, changes: changes)
                    // The written file must read back as the suggested budget.
                    let reread = try BudgetFile.load(Data(rewritten.utf8), file: writeSuggestions ?? budget)
                    guard reread.budgets.map({ $0.rules.map(\.kind) }) == suggested.budgets.map({ $0.rules.map(\.kind) }) else {
                        throw PerfgateError(.internalError, "the suggested budget file does not read back as the suggested limits")
                    }
                    diff = BudgetRewrite.unifiedDiff(text, rewritten, name: budget)
                    if let w = writeSuggestions {
                        try Check.write(rewritten, to: w, append: false)
                        Console.err("wrote the suggested budget to \(w)")
                    }
                } else if let w = writeSuggestions {
                    try Check.write((try? String(contentsOfFile: budget, encoding: .utf8)) ?? "", to: w, append: false)
                    Console.err("no limit to change: wrote \(budget) unchanged to \(w)")
                }
                switch format {
                case .table: Console.out(result.report.table(diff: diff))
                case .markdown: Console.out(result.report.markdown(diff: diff))
                case .json: Console.out(result.report.json(diff: diff))
                }
            }
        }
    }
}
