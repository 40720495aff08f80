import Foundation

/// Parses a line-oriented file on several threads: the calling thread reads blocks of whole lines
/// (``InputFile/forEachLineBlock(blockSize:_:)``) and turns each into a job, worker threads run
/// `work` on the jobs, and the calling thread hands every result to `merge` in file order. At most
/// `2 × workers` blocks are in memory at once, so memory stays constant in the file size.
///
/// `merge` runs on the calling thread, in order, and may throw: the first error (in file order) stops
/// the workers and is rethrown, exactly as a serial parse would have stopped there.
enum ParallelBlocks {
    static var defaultWorkers: Int { max(1, min(8, ProcessInfo.processInfo.activeProcessorCount)) }

    static func run<Job: Sendable, Result>(
        _ file: InputFile, blockSize: Int = 4 << 20, workers: Int = defaultWorkers,
        job: ([UInt8]) -> Job,
        work: @escaping @Sendable (Job) -> Result,
        merge: (Job, Result) throws -> Void
    ) throws {
        let workers = max(1, workers)
        let shared = Shared<Job, Result>()
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<workers {
            let thread = Thread {
                shared.workLoop(work)
                done.signal()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        defer {
            shared.finish(cancel: true)
            for _ in 0..<workers { done.wait() }
        }
        var pending: [Int: Job] = [:]
        var dispatched = 0
        var merged = 0
        var mergeFailed = false
        func mergeNext(wait: Bool) throws -> Bool {
            guard merged < dispatched, let result = shared.take(merged, wait: wait) else { return false }
            let job = pending.removeValue(forKey: merged)!
            merged += 1
            do {
                try merge(job, result)
            } catch {
                mergeFailed = true
                throw error
            }
            return true
        }
        let inFlight = 2 * workers
        do {
            try file.forEachLineBlock(blockSize: blockSize) { block in
                while dispatched - merged >= inFlight { _ = try mergeNext(wait: true) }
                while try mergeNext(wait: false) {}
                // The job is made after merging what is ready, so it sees as much merged state as possible.
                let j = job(block)
                pending[dispatched] = j
                shared.submit(dispatched, j)
                dispatched += 1
            }
        } catch let readError where !mergeFailed {
            // A read error (truncated gzip, say) comes after every line already read: an error in those
            // lines is reported first, as a serial parse would.
            shared.finish(cancel: false)
            while merged < dispatched { _ = try mergeNext(wait: true) }
            throw readError
        }
        shared.finish(cancel: false)
        while merged < dispatched { _ = try mergeNext(wait: true) }
    }

    /// The queue between the reading thread and the workers; every field is guarded by `cond`.
    private final class Shared<Job: Sendable, Result>: @unchecked Sendable {
        let cond = NSCondition()
        var jobs: [(Int, Job)?] = []
        var head = 0
        var results: [Int: Result] = [:]
        var finished = false
        var cancelled = false

        func submit(_ index: Int, _ job: Job) {
            cond.lock()
            jobs.append((index, job))
            cond.signal()
            cond.unlock()
        }

        func finish(cancel: Bool) {
            cond.lock()
            finished = true
            if cancel { cancelled = true }
            cond.broadcast()
            cond.unlock()
        }

        func take(_ index: Int, wait: Bool) -> Result? {
            cond.lock()
            defer { cond.unlock() }
            while results[index] == nil {
                guard wait else { return nil }
                cond.wait()
            }
            return results.removeValue(forKey: index)
        }

        func workLoop(_ work: (Job) -> Result) {
            while true {
                cond.lock()
                while head == jobs.count && !finished && !cancelled { cond.wait() }
                if cancelled || head == jobs.count {
                    cond.unlock()
                    return
                }
                let (index, job) = jobs[head]!
                jobs[head] = nil
                head += 1
                if head > 64 && head * 2 > jobs.count {
                    jobs.removeFirst(head)
                    head = 0
                }
                cond.unlock()
                let result = work(job)
                cond.lock()
                results[index] = result
                cond.broadcast()
                cond.unlock()
            }
        }
    }
}
