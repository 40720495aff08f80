import Foundation
import PerfgateCore
import PerfgateEngine
import PerfgateTestSupport
import Testing

/// What `perfgate compare` puts on each side, over the fake store and git.
@Suite("CompareEngine: resolving the two sides")
struct CompareEngineTests {
    static func history() throws -> EngineTestHistory {
        var h = EngineTestHistory()
        h.line(1...3, on: "main")
        try h.results(1, p95: 100)
        try h.results(2, p95: 100, count: 2)
        try h.results(3, p95: 200)
        return h
    }

    @Test func aSmallNumberIsARunIdAndACommitPrefixIsEveryRunOfTheCommit() throws {
        let h = try Self.history()
        let engine = CompareEngine(store: h.store, git: h.git)
        let runOfTwo = try #require(try h.store.runRefs(RunRefQuery(commit: EngineTestHistory.sha(2))).last)
        let run = try engine.side(String(runOfTwo.id))
        #expect(run.runs.map(\.id) == [String(runOfTwo.id)])
        #expect(run.label == "run \(runOfTwo.id) (commit \(EngineTestHistory.short(2)), s)")
        let commit = try engine.side(EngineTestHistory.short(2))
        #expect(EngineTestHistory.commits(commit.runs) == [2, 2])
        #expect(commit.label == "commit \(EngineTestHistory.short(2)) (2 runs)")
    }

    @Test func aRevisionGitResolvesIsNamedInTheLabel() throws {
        let h = try Self.history()
        let side = try CompareEngine(store: h.store, git: h.git).side("main")
        #expect(EngineTestHistory.commits(side.runs) == [3])
        #expect(side.label == "commit \(EngineTestHistory.short(3)) (main) (1 runs)")
    }

    @Test func sevenDigitsAreACommitPrefixNotARunId() throws {
        var h = EngineTestHistory()
        h.commit(0x0123_4567, on: "main")
        try h.results(0x0123_4567)
        // "0123456" parses as a number, but 7 characters or more name a commit.
        let side = try CompareEngine(store: h.store, git: h.git).side("0123456")
        #expect(side.label.hasPrefix("commit 01234567"))
    }

    @Test func aCommitWithoutResultsAndATextWithoutAStoreAreErrors() throws {
        var h = try Self.history()
        h.commit(9, parents: [3], on: "main")
        let error = try #require(throws: PerfgateError.self) { try CompareEngine(store: h.store, git: h.git).side("main") }
        #expect(error.diagnostic.message.contains("no results stored for commit \(EngineTestHistory.short(9)) ('main')"))
        #expect(throws: PerfgateError.self) { try CompareEngine(store: nil, git: h.git).side("main") }
    }

    @Test func theTwoSidesGoThroughTheGateBaselineFirst() throws {
        let h = try Self.history()
        let result = try CompareEngine(store: h.store, git: h.git).compare(
            EngineTestHistory.short(1), EngineTestHistory.short(3), metric: SeriesKey.requestLatencyMetric, endpoint: nil)
        let p95 = try #require(result.outcome.findings.first { $0.statistic == "p95" })
        #expect(p95.baseline == 100 && p95.current == 200)
        #expect(result.a.label.hasPrefix("commit \(EngineTestHistory.short(1))") && result.b.label.hasPrefix("commit \(EngineTestHistory.short(3))"))
        #expect(throws: PerfgateError.self) {
            try CompareEngine(store: h.store, git: h.git).compare("1", "3", metric: "no_such_metric", endpoint: nil)
        }
    }

    @Test func aFileSideAdoptsTheOtherSidesLabelsOneRunAgainstOne() {
        let stored = GateRun(id: "1", commitSha: "a", scenario: "checkout", environment: "ci", tool: "k6", series: [])
        let file = GateRun(id: "f", commitSha: "", scenario: "locust", environment: "", tool: "locust", series: [])
        let aligned = CompareEngine.align([file], to: [stored])
        #expect(aligned.map(\.scenario) == ["checkout"] && aligned.map(\.environment) == ["ci"] && aligned.map(\.tool) == ["k6"])
        // Several runs keep their own scenario and tool.
        let two = CompareEngine.align([file, file], to: [stored])
        #expect(two.map(\.scenario) == ["locust", "locust"] && two.map(\.tool) == ["locust", "locust"] && two.map(\.environment) == ["ci", "ci"])
    }
}

/// What `perfgate detect` analyses and stores, over the fake store.
@Suite("DetectEngine: series, windows and stored change points")
struct DetectEngineTests {
    /// Twenty commits on main; p95 steps from about 100 to about 150 at commit 11.
    static func history() throws -> EngineTestHistory {
        var h = EngineTestHistory()
        h.line(1...20, on: "main")
        for n in 1...20 { try h.results(n, p95: (n < 11 ? 100 : 150) + Double(n % 3)) }
        return h
    }

    static let clock = FixedWallClock(EngineTestHistory.day(30))

    @Test func findsTheStepStoresItAndADryRunStoresNothing() throws {
        let h = try Self.history()
        let engine = DetectEngine(store: h.store, clock: Self.clock)
        let dry = try engine.run(DetectEngine.Request(branch: "main", statistics: [.p95], store: false))
        #expect(try h.store.changePoints(branch: "main", scenario: nil).isEmpty)
        let result = try engine.run(DetectEngine.Request(branch: "main", statistics: [.p95]))
        #expect(result.found == dry.found)
        let step = try #require(result.found.first)
        #expect(result.found.count == 1 && step.commitSha == EngineTestHistory.sha(11) && step.isRegression)
        #expect(result.analysed.map(\.statistic) == [.p95] && result.analysed.first?.commits?.count == 20)
        #expect(try h.store.changePoints(branch: "main", scenario: nil) == result.found)
    }

    @Test func theEndpointGlobAndTheStatisticsChooseTheSeries() throws {
        let h = try Self.history()
        let engine = DetectEngine(store: h.store, clock: Self.clock)
        #expect(try engine.run(DetectEngine.Request(branch: "main", endpoint: "POST *", statistics: [.p95])).analysed.isEmpty)
        let both = try engine.run(DetectEngine.Request(branch: "main", endpoint: "GET *", statistics: [.p95, .mean], store: false))
        #expect(both.analysed.map(\.statistic) == [.mean, .p95])
        #expect(try engine.run(DetectEngine.Request(branch: "feature", statistics: [.p95])).analysed.isEmpty)
    }

    @Test func aWindowReplacesOnlyTheChangePointsOfTheCommitsItSaw() throws {
        let h = try Self.history()
        let engine = DetectEngine(store: h.store, clock: Self.clock)
        _ = try engine.run(DetectEngine.Request(branch: "main", statistics: [.p95], lastCommits: nil))
        // The newest six commits are all after the step: nothing found there, the stored step kept.
        let recent = try engine.run(DetectEngine.Request(branch: "main", statistics: [.p95], lastCommits: 6))
        #expect(recent.found.isEmpty)
        #expect(Set(recent.analysed.first?.commits ?? []) == Set((15...20).map(EngineTestHistory.sha)))
        #expect(try h.store.changePoints(branch: "main", scenario: nil).map(\.commitSha) == [EngineTestHistory.sha(11)])
        // The whole history again, with a magnitude the step does not reach: the stored step goes.
        var options = ChangePointDetection.defaultOptions
        options.minMagnitude = 0.9
        _ = try engine.run(DetectEngine.Request(branch: "main", statistics: [.p95], options: options, lastCommits: nil))
        #expect(try h.store.changePoints(branch: "main", scenario: nil).isEmpty)
    }
}

/// What `perfgate log REV` keeps, over the fake store and git.
@Suite("HistoryLog: the history up to a revision")
struct HistoryLogTests {
    @Test func aRevisionEndsTheHistoryAndLastCountsCommitsBeforeIt() throws {
        var h = EngineTestHistory()
        h.line(1...5, on: "main")
        for n in 1...5 { try h.results(n, p95: Double(100 + n)) }
        let log = HistoryLog(store: h.store, git: h.git)
        let query = LogQuery(statistic: .p95, branch: "main", lastCommits: 2)
        #expect(try log.points(query, upTo: nil).map(\.value) == [104, 105])
        #expect(try log.points(query, upTo: EngineTestHistory.short(3)).map(\.value) == [102, 103])
        var everything = query
        everything.lastCommits = nil
        #expect(try log.points(everything, upTo: EngineTestHistory.short(2)).map(\.value) == [101, 102])
    }

    @Test func aCommitNeitherStoredNorKnownToGitHasNoTime() throws {
        var h = EngineTestHistory()
        h.line(1...2, on: "main")
        try h.results(1)
        // Commit 2 is known to git by name but has no time there and no stored run.
        h.git.times[EngineTestHistory.sha(2)] = nil
        let error = try #require(throws: PerfgateError.self) {
            try HistoryLog(store: h.store, git: h.git).points(LogQuery(), upTo: "main")
        }
        #expect(error.diagnostic.message.contains("cannot tell when commit \(EngineTestHistory.short(2)) was made"))
    }
}
