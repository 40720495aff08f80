import ArgumentParser
import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateReport

extension PerfgateCommand {
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Write a static HTML trend site, summary.md and, with --release, a release summary.",
            discussion: """
                The site opens from file:// with no network: index.html (the newest commit's status against \
                its baseline when --budget is given, every series as a trend, regressions and change points), \
                one page per series (p50/p95/p99 with budget lines, the baseline band and change points), one \
                per run, with --budget and --tune tune.html (how the budget would have performed over the history \
                of the branch, as perfgate tune reports it), compare.html (the newest two commits, or --compare A..B; with capacity curves of B beside A), and summary.md for a pull \
                request. --release FROM..TO (commits or git tags) adds release.html and release.md: TO's readiness \
                (as perfgate readiness prints it, with --budget and --expected-peak), per-endpoint latency, errors and \
                capacity, TO's capacity curves beside FROM's, regressions introduced and fixed, and with --cost-model \
                the estimated monthly cost and value, each with its formula (docs/cost-model.md). With --budget or \
                --expected-peak, summary.md ends with the newest commit's readiness.

                The generation time is $SOURCE_DATE_EPOCH when set (for reproducible output), else now.

                Into a directory an earlier report wrote, only what changed is rendered again: a series or run \
                page is kept when the .perfgate-site.json that report left lists it with the same inputs (its \
                data, the options and templates that show on it, the perfgate version and the generation time, \
                which every page's footer shows: keep $SOURCE_DATE_EPOCH fixed to keep pages) and its file is \
                unchanged. Without that file, or with files in the directory it does not list, every page is \
                rendered; --full always renders every page. The pages are the same bytes either way.

                Example:
                  perfgate report --out site --budget budgets.json --commit-url 'https://github.com/org/repo/commit/{sha}'
                  perfgate report --out site --release v1.2.0..v1.3.0 --cost-model ci/examples/cost-model.json
                """)

        @Option(help: ArgumentHelp("Directory to write the site into (created when missing).", valueName: "dir"))
        var out: String

        @Option(help: ArgumentHelp("Budget file: evaluate the newest commit against its baseline.", valueName: "file"))
        var budget: String?

        @Flag(
            help: ArgumentHelp(
                "With --budget: replay the budget over the branch's history (as perfgate tune does) and write tune.html. Off by default: it gates every commit of the history again (about 23 s of CPU for 1,000 commits x 50 series)."))
        var tune = false

        @Option(help: ArgumentHelp("Base branch for trends, change points and the baseline band.", valueName: "name"))
        var branch: String = "main"

        @Option(help: ArgumentHelp("Directory of templates overlaid on the built-ins (see `perfgate templates export DIR`).", valueName: "dir"))
        var templates: String?

        @Option(
            name: .customLong("commit-url"),
            help: ArgumentHelp("Commit link template, e.g. https://github.com/org/repo/commit/{sha}.", valueName: "template"))
        var commitURL: String?

        @Option(help: ArgumentHelp("Two commits to compare, A..B (default: the newest two).", valueName: "A..B"))
        var compare: String?

        @Option(help: ArgumentHelp("Write release.html and release.md for FROM..TO (commits or git tags).", valueName: "FROM..TO"))
        var release: String?

        @Option(name: .customLong("cost-model"), help: ArgumentHelp("Cost model JSON for the release summary (docs/cost-model.md).", valueName: "file"))
        var costModel: String?

        @Option(
            name: .customLong("expected-peak"),
            help: ArgumentHelp("Users the release must carry, for the readiness section's headroom (see perfgate readiness).", valueName: "users"))
        var expectedPeak: Double?

        @Flag(help: ArgumentHelp("Render every page again, ignoring the pages an earlier report left in --out."))
        var full = false

        @OptionGroup var storeOptions: StoreOptions

        func validate() throws {
            if let p = expectedPeak, !(p > 0 && p.isFinite) { throw ValidationError("--expected-peak must be a number of users above 0, got \(p)") }
            if let c = compare, Self.range(c) == nil { throw ValidationError("--compare expects A..B, got '\(c)'") }
            if let r = release, Self.range(r) == nil { throw ValidationError("--release expects FROM..TO, got '\(r)'") }
            if costModel != nil && release == nil { throw ValidationError("--cost-model needs --release FROM..TO") }
            if tune && budget == nil { throw ValidationError("--tune needs --budget FILE: it back-tests that budget") }
            if let u = commitURL, !(u.hasPrefix("https://") || u.hasPrefix("http://")) || !u.contains("{sha}") {
                throw ValidationError("--commit-url must be an http(s) URL containing {sha}, got '\(u)'")
            }
        }

        static func range(_ s: String) -> (String, String)? {
            guard let r = s.range(of: "..") else { return nil }
            let a = String(s[..<r.lowerBound])
            let b = String(s[r.upperBound...])
            guard !a.isEmpty, !b.isEmpty, !b.hasPrefix(".") else { return nil }
            return (a, b)
        }

        static func generationTime(_ env: [String: String]) -> Date {
            if let s = env["SOURCE_DATE_EPOCH"], let t = TimeInterval(s) { return Date(timeIntervalSince1970: t) }
            return Date()
        }

        func run() async throws {
            try await withDiagnostics {
                let env = ProcessInfo.processInfo.environment
                let library = try templates.map { try TemplateLibrary(overlay: $0) } ?? TemplateLibrary()
                let store = try storeOptions.openForReading(concurrentReads: true)
                let source = try StoreReportSource(store: store, git: GitCLI())
                let runs = try source.runs()
                let newest = ReportInputs.newest(runs, branch: branch)
                let resolver = ReportCommits(store: store, git: GitCLI(), runs: runs)

                var options = SiteOptions()
                var budgets: BudgetSet?
                if let path = budget {
                    let set = try CheckEngine.loadBudgets(path: path)
                    budgets = set
                    options.budgets = set
                    if let newest {
                        do {
                            options.outcome = try CheckEngine(store: store).evaluate(
                                CheckEngine.Request(budgets: set, budgetsFile: path, commit: newest.commit, base: branch))
                            options.outcomeCommit = newest.commit
                        } catch let e as any DiagnosableError {
                            // The site is still useful without a verdict; say why there is none, loudly.
                            Console.print(Diagnostic(.warning, "no status for \(newest.commit.shortSha): " + e.diagnostic.message, at: e.diagnostic.location, notes: e.diagnostic.notes))
                            options.statusReason = "the budget could not be evaluated for \(newest.commit.shortSha) (\(e.diagnostic.message))"
                        }
                    } else {
                        options.statusReason = "the store has no runs"
                    }
                    if tune {
                        do {
                            options.tune = try await TuneEngine.backtest(
                                store: store, git: GitCLI(), budgets: set, budgetsFile: path, base: branch, environment: nil, options: Backtest.Options(),
                                last: nil
                            ).report
                        } catch let e as any DiagnosableError {
                            // The rest of the site does not depend on it: say why there is no tune.html.
                            Console.print(Diagnostic(.warning, "no tune.html: " + e.diagnostic.message, at: e.diagnostic.location, notes: e.diagnostic.notes))
                        }
                    }
                }
                if let c = compare, let (a, b) = Self.range(c) {
                    options.compare = (try resolver.resolve(a).sha, try resolver.resolve(b).sha)
                }
                if let r = release, let (a, b) = Self.range(r) {
                    let from = try resolver.resolve(a)
                    let to = try resolver.resolve(b)
                    var request = ReleaseRequest(from: from, to: to, fromLabel: a, toLabel: b)
                    if let path = costModel {
                        guard let data = FileManager.default.contents(atPath: path) else {
                            throw PerfgateError(.missingInput, "cannot read the cost model", at: SourceLocation(file: path))
                        }
                        request.costModel = try CostModel.decode(data, file: path)
                    }
                    if let set = budgets {
                        do {
                            request.outcome = try CheckEngine(store: store).evaluate(
                                CheckEngine.Request(budgets: set, budgetsFile: budget ?? "", commit: to, base: branch))
                        } catch let e as any DiagnosableError {
                            Console.print(Diagnostic(.warning, "no budget compliance for \(b): " + e.diagnostic.message, at: e.diagnostic.location, notes: e.diagnostic.notes))
                            request.outcomeReason = "the budget could not be evaluated for \(b) (\(e.diagnostic.message))"
                        }
                    }
                    request.readiness = Self.readiness(store: store, commit: to, budgets: budgets, budgetFile: budget, expectedPeak: expectedPeak)
                    request.capacityCurves = try ReportInputs.capacityCurves(store: store, to: to.sha, from: from.sha)
                    options.release = request
                }
                options.capacityCurves = { to, from in try ReportInputs.capacityCurves(store: store, to: to, from: from) }
                if budget != nil || expectedPeak != nil, let newest {
                    options.readiness = Self.readiness(store: store, commit: newest.commit, budgets: budgets, budgetFile: budget, expectedPeak: expectedPeak)
                }
                let context = ReportContext(
                    generatedAt: Self.generationTime(env), toolVersion: PerfgateVersion.current, commitURLTemplate: commitURL,
                    baseBranch: branch, baselineWindow: budgets?.baseline.window ?? 10)
                var sink = DirectorySink(root: URL(fileURLWithPath: out), toolVersion: PerfgateVersion.current, reuse: !full)
                let result = try SiteBuilder(context: context, templates: library, options: options).build(from: source, into: &sink)
                let series = result.pages.filter { $0.hasPrefix("series/") }.count
                let runPages = result.pages.filter { $0.hasPrefix("runs/") }.count
                let how = sink.fullBuildReason.map { "every page rendered: \($0)" } ?? "kept \(result.kept.count) unchanged pages"
                Console.err("perfgate report: wrote \(result.pages.count) files to \(out) (\(series) series, \(runPages) runs); \(how)")
                Console.out(URL(fileURLWithPath: out).appendingPathComponent("index.html").path)
                if release != nil { Console.out(URL(fileURLWithPath: out).appendingPathComponent("release.md").path) }
            }
        }

        /// The readiness summary of `commit`, as `perfgate readiness` prints it; nil, with a warning, when it
        /// cannot be made (the rest of the site does not depend on it).
        static func readiness(store: any HistoryStore, commit: CommitInfo, budgets: BudgetSet?, budgetFile: String?, expectedPeak: Double?)
            -> ReadinessReport?
        {
            do {
                return try ReadinessInputs.report(store: store, git: GitCLI(), commit: commit, budgets: budgets, budgetFile: budgetFile, expectedPeak: expectedPeak)
            } catch let e as any DiagnosableError {
                Console.print(Diagnostic(.warning, "no readiness for \(commit.shortSha): " + e.diagnostic.message, at: e.diagnostic.location, notes: e.diagnostic.notes))
            } catch {
                Console.print(Diagnostic(.warning, "no readiness for \(commit.shortSha): \(error)"))
            }
            return nil
        }
    }
}
