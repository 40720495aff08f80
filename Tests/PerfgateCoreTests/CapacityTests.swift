import Foundation
import PerfgateCore
import Testing

@Suite("Capacity: knee, scaling, steps")
struct CapacityTests {
    static func level(_ users: Double, rps: Double?, p95: Double?, workers: Int? = nil, run: Int64 = 1) -> LoadLevel {
        LoadLevel(
            users: users, workers: workers, requests: (rps ?? 0) * 10, requestsPerSecond: rps, p50: p95.map { $0 * 0.8 },
            p95: p95, errorRate: 0, runIds: [run])
    }

    @Test func p95RiseMarksTheKneeBetweenTwoLevels() {
        // Throughput keeps growing; p95 at 80 users (300 ms) is above 1.5 × 100 ms.
        let a = Capacity.analyse([
            Self.level(80, rps: 800, p95: 300), Self.level(10, rps: 100, p95: 100), Self.level(20, rps: 200, p95: 105),
            Self.level(40, rps: 400, p95: 140),
        ])
        #expect(a.knee == .found(lastWithin: 40, firstPast: 80, reasons: [.p95Rise]))
        #expect(a.knee.capacity == 40)
        #expect(a.lowLoadP95 == 100)
        #expect(a.levels.map(\.users) == [10, 20, 40, 80])
        #expect(a.levels.map { a.assessment(of: $0) } == [.withinCapacity, .withinCapacity, .withinCapacity, .pastKnee])
        #expect(a.knee.summary == "knee between 40 and 80 users (p95 rise)")
    }

    @Test func flatThroughputMarksTheKnee() {
        // 20 → 40 users (+100 %) brings 5 % more requests/s: less than 25 % of the load's growth.
        let a = Capacity.analyse([
            Self.level(10, rps: 100, p95: 100), Self.level(20, rps: 200, p95: 100), Self.level(40, rps: 210, p95: 110),
            Self.level(80, rps: 212, p95: 120),
        ])
        #expect(a.knee == .found(lastWithin: 20, firstPast: 40, reasons: [.throughputFlat]))
    }

    @Test func theThroughputRuleIsStatedAsAFractionOfTheLoadGrowth() {
        // 4 → 5 users (+25 %): at least 6.25 % more throughput stays within the rule.
        let within = Capacity.analyse([Self.level(4, rps: 100, p95: 100), Self.level(5, rps: 106.3, p95: 100)])
        #expect(within.knee == .notReached(highest: 5))
        let past = Capacity.analyse([Self.level(4, rps: 100, p95: 100), Self.level(5, rps: 106.2, p95: 100)])
        #expect(past.knee == .found(lastWithin: 4, firstPast: 5, reasons: [.throughputFlat]))
    }

    @Test func everyLevelWithinTheRuleIsNotReachedNeverAnInventedKnee() {
        let a = Capacity.analyse([Self.level(1, rps: 10, p95: 100), Self.level(2, rps: 20, p95: 110), Self.level(4, rps: 40, p95: 120)])
        #expect(a.knee == .notReached(highest: 4))
        #expect(a.knee.capacity == nil)
        #expect(a.knee.summary == "knee not reached up to 4 users")
        #expect(a.levels.allSatisfy { a.assessment(of: $0) == .withinCapacity })
    }

    @Test func oneNoisyLevelBelowAGoodOneIsNotAKnee() {
        let a = Capacity.analyse([
            Self.level(10, rps: 100, p95: 100), Self.level(20, rps: 200, p95: 400), Self.level(40, rps: 400, p95: 110),
        ])
        #expect(a.knee == .notReached(highest: 40))
    }

    @Test func oneLevelIsNotMeasured() {
        let a = Capacity.analyse([Self.level(10, rps: 100, p95: 100)])
        #expect(a.knee == .notMeasured(reason: "one load level; a knee needs at least two"))
        #expect(a.assessment(of: a.levels[0]) == .unknown)
        #expect(Capacity.analyse([]).knee == .notMeasured(reason: "no load levels"))
        #expect(
            Capacity.analyse([Self.level(1, rps: nil, p95: nil), Self.level(2, rps: nil, p95: nil)]).knee
                == .notMeasured(reason: "no p95 and no throughput"))
    }

    @Test func repeatsAtOneLevelAreMergedByTheirMedian() {
        let a = Capacity.analyse([
            Self.level(10, rps: 100, p95: 100, run: 1), Self.level(10, rps: 90, p95: 130, run: 2),
            Self.level(10, rps: 120, p95: 90, run: 3), Self.level(20, rps: 200, p95: 100, run: 4),
        ])
        #expect(a.levels.count == 2)
        #expect(a.levels[0].requestsPerSecond == 100)
        #expect(a.levels[0].p95 == 100)
        #expect(a.levels[0].runIds == [1, 2, 3])
        #expect(a.levels[0].requests == 3100)
    }

    /// The seed report's scaling table (issue 17): 1 → 95 ops/s, 2 → 178, 4 → 343, 8 → 623. Efficiency
    /// throughput(n) / (n · throughput(1)) is 93.68 %, 90.26 %, 81.97 % (the report typed 93.8, 90.2, 81.9).
    @Test func scalingEfficiencyAgainstLinearFromOneWorker() throws {
        let a = Capacity.analyse([
            Self.level(50, rps: 95, p95: 100, workers: 1), Self.level(50, rps: 178, p95: 100, workers: 2),
            Self.level(50, rps: 343, p95: 100, workers: 4), Self.level(50, rps: 623, p95: 100, workers: 8),
        ])
        #expect(a.scaling.map(\.workers) == [1, 2, 4, 8])
        let e = a.scaling.map { $0.efficiency ?? .nan }
        #expect(e[0] == 1)
        #expect(abs(e[1] - 178.0 / 190.0) < 1e-12)
        #expect(Formatting.fixed(e[1] * 100, 2) == "93.68")
        #expect(Formatting.fixed(e[2] * 100, 2) == "90.26")
        #expect(Formatting.fixed(e[3] * 100, 2) == "81.97")
        // One worker count is no scaling table; without a one-worker run there is no efficiency.
        #expect(Capacity.analyse([Self.level(50, rps: 95, p95: 100, workers: 2)]).scaling.isEmpty)
        let noOne = Capacity.analyse([Self.level(50, rps: 178, p95: 100, workers: 2), Self.level(50, rps: 343, p95: 100, workers: 4)])
        #expect(noOne.scaling.map(\.efficiency) == [nil, nil])
    }

    @Test func theKneeIsLookedForOnOneWorkerCount() {
        // Two workers at 10 and 20 users, one worker at 10: the curve is the two-worker one.
        let a = Capacity.analyse([
            Self.level(10, rps: 100, p95: 100, workers: 2), Self.level(20, rps: 200, p95: 400, workers: 2),
            Self.level(10, rps: 60, p95: 200, workers: 1),
        ])
        #expect(a.knee == .found(lastWithin: 10, firstPast: 20, reasons: [.p95Rise]))
    }

    /// A staircase of 1 s buckets: 6 buckets at 2 users, 6 at 4 users; each step loses its first and last bucket.
    @Test func stepsOfATimeline() throws {
        var buckets: [TimelineBucket] = []
        for i in 0..<6 { buckets.append(TimelineBucket(index: i, requests: Double(20 + i), errors: 0, p50: 100, p95: Double(110 + i), users: 2)) }
        for i in 6..<12 { buckets.append(TimelineBucket(index: i, requests: 40, errors: 1, p50: 100, p95: Double(200 + i), users: 4)) }
        // An endpoint's buckets are not the whole run's.
        buckets.append(TimelineBucket(endpoint: "GET /x", index: 0, requests: 1000, errors: 0, p50: 1, p95: 1))
        let steps = Capacity.steps(of: RunTimeline(bucketSeconds: 1, buckets: buckets), runId: 7)
        #expect(steps.map(\.users) == [2, 4])
        #expect(steps[0].requests == 21 + 22 + 23 + 24)
        #expect(steps[0].requestsPerSecond == 22.5)
        #expect(steps[0].p95 == 112.5)  // median of 111, 112, 113, 114
        #expect(steps[0].span == 1...5)
        #expect(steps[1].errorRate == 0.025)
        #expect(steps[1].p95 == 208.5)
        #expect(steps[1].runIds == [7])
        // A run at one load level has no steps.
        let flat = RunTimeline(bucketSeconds: 1, buckets: (0..<10).map { TimelineBucket(index: $0, requests: 5, errors: 0, users: 3) })
        #expect(Capacity.steps(of: flat, runId: 1).isEmpty)
    }

    @Test func kneeComparisonForTheBudget() {
        let base = Knee.found(lastWithin: 40, firstPast: 50, reasons: [.p95Rise])
        func verdict(_ c: Knee, _ b: Knee) -> String {
            switch KneeComparison.compare(current: c, baseline: b, maxDrop: 0.10) {
            case .pass: return "pass"
            case .fail: return "fail"
            case .insufficientData: return "insufficient"
            }
        }
        #expect(verdict(.found(lastWithin: 40, firstPast: 50, reasons: [.p95Rise]), base) == "pass")
        #expect(verdict(.found(lastWithin: 36, firstPast: 40, reasons: [.p95Rise]), base) == "pass")  // -10 % exactly
        #expect(verdict(.found(lastWithin: 30, firstPast: 40, reasons: [.p95Rise]), base) == "fail")
        // Baseline without a knee up to 50 users: a knee at 30 is certainly more than 10 % lower.
        #expect(verdict(.found(lastWithin: 30, firstPast: 40, reasons: [.p95Rise]), .notReached(highest: 50)) == "fail")
        #expect(verdict(.found(lastWithin: 48, firstPast: 60, reasons: [.p95Rise]), .notReached(highest: 50)) == "insufficient")
        // No knee up to at least 90 % of the baseline's capacity: it did not move down beyond the limit.
        #expect(verdict(.notReached(highest: 40), base) == "pass")
        #expect(verdict(.notReached(highest: 20), base) == "insufficient")
        #expect(verdict(.notReached(highest: 50), .notReached(highest: 50)) == "insufficient")
        #expect(verdict(.notMeasured(reason: "x"), base) == "insufficient")
        #expect(verdict(base, .notMeasured(reason: "x")) == "insufficient")
        if case .fail(let d) = KneeComparison.compare(current: .found(lastWithin: 30, firstPast: 40, reasons: []), baseline: base, maxDrop: 0.1) {
            #expect(d == "capacity 30 users vs 40 (-25.00%), more than 10% lower")
        } else {
            Issue.record("expected a failure")
        }
    }

    // MARK: budgets.json

    @Test func capacityBudgetValidates() throws {
        let set = try BudgetTesting.load(#"{ "version": 1, "capacity": { "knee": "-10%" }, "budgets": [ { "max": { "p95": "1s" } } ] }"#)
        #expect(set.capacity == CapacityBudget(kneeDrop: 0.10, source: "-10%"))
        // A file with only a capacity rule needs no budgets.
        let only = try BudgetTesting.load(#"{ "version": 1, "capacity": { "knee": "-12.5%" } }"#)
        #expect(only.capacity?.kneeDrop == 0.125)
        #expect(only.budgets.isEmpty)
        let dumped = String(decoding: try only.effectiveJSON(), as: UTF8.self)
        #expect(dumped.contains(#""capacity" : {"#) && dumped.contains(#""knee" : "-12.5%""#), "\(dumped)")
        #expect(try BudgetSet.load(only.effectiveJSON(), file: "effective.json").capacity == only.capacity)
    }

    @Test func capacityBudgetErrorsNameTheirJSONPath() {
        #expect(
            BudgetTesting.errors(#"{ "version": 1, "capacity": { "knee": "10%" } }"#) == [
                #"budgets.json: error: at capacity.knee: expected a drop like "-10%" (the knee may move to a lower load by at most 10 %), found "10%""#
            ])
        #expect(
            BudgetTesting.errors(#"{ "version": 1, "capacity": { "kne": "-10%" } }"#) == [
                "budgets.json: error: at capacity.kne: unknown key (did you mean 'knee'?)\nnote: allowed here: knee",
                #"budgets.json: error: at capacity: missing key "knee"\#nnote: write "capacity": { "knee": "-10%" }"#,
            ])
        #expect(
            BudgetTesting.errors(#"{ "version": 1, "capacty": { "knee": "-10%" }, "budgets": [ { "max": { "p95": "1s" } } ] }"#).first?
                .hasPrefix("budgets.json: error: at capacty: unknown key (did you mean 'capacity'?)") == true)
    }
}
