import Foundation
import PerfgateCore
import Testing

/// The one ordered-parallel helper (report pages, block parsers, background digests).
@Suite("ordered parallel")
struct OrderedParallelTests {
    /// Counts items started and not yet consumed, across threads.
    final class Counter: @unchecked Sendable {
        let lock = NSLock()
        var started = 0
        var consumed = 0
        var most = 0
        func start() {
            lock.withLock {
                started += 1
                most = max(most, started - consumed)
            }
        }
        func consume() { lock.withLock { consumed += 1 } }
    }

    @Test(arguments: [1, 3, 8])
    func resultsComeInOrderWithAtMostInFlightItemsHeld(workers: Int) throws {
        let items = Array(0..<200)
        let counter = Counter()
        var seen: [Int] = []
        try OrderedParallel.forEach(items, workers: workers, inFlight: 5) { i -> String in
            counter.start()
            // Uneven work, so later items often finish first.
            if i % 7 == 0 { Thread.sleep(forTimeInterval: 0.001) }
            return "item \(i)"
        } consume: { i, r in
            #expect(r == "item \(i)")
            seen.append(i)
            counter.consume()
        }
        #expect(seen == items)
        #expect(counter.most <= 5)
    }

    struct Failure: Error, Equatable { let item: Int }

    @Test func theFirstErrorInOrderIsThrownAndNothingAfterItIsConsumed() {
        var seen: [Int] = []
        #expect(throws: Failure(item: 10)) {
            try OrderedParallel.forEach(Array(0..<100), workers: 4, inFlight: 64) { i -> Int in
                // Item 40 fails quickly, item 10 only after a while: 10 comes first in order.
                if i == 10 { Thread.sleep(forTimeInterval: 0.02) }
                if i == 10 || i == 40 { throw Failure(item: i) }
                return i
            } consume: { i, _ in
                seen.append(i)
            }
        }
        #expect(seen == Array(0..<10))
    }

    @Test func anErrorFromConsumeStopsTheLoop() {
        var seen: [Int] = []
        #expect(throws: Failure(item: 3)) {
            try OrderedParallel.forEach(Array(0..<50), workers: 2, inFlight: 4) {
                $0
            } consume: { i, _ in
                seen.append(i)
                if i == 3 { throw Failure(item: i) }
            }
        }
        #expect(seen == [0, 1, 2, 3])
    }

    @Test func stopCancelsARunningJobAndDropsQueuedOnes() {
        let ran = Counter()
        let pool = OrderedWorkPool<Int, Int>(workers: 1) { job, isCancelled in
            ran.start()
            var spins = 0
            while !isCancelled() {
                Thread.sleep(forTimeInterval: 0.001)
                spins += 1
            }
            return spins
        }
        pool.submit(1)
        pool.submit(2)
        while ran.lock.withLock({ ran.started }) == 0 { Thread.sleep(forTimeInterval: 0.001) }
        pool.stop()
        // The running job saw the cancellation and ended; the queued one never started.
        #expect(ran.started == 1)
        #expect(pool.next(wait: false) == nil)
    }
}
