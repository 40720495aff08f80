import Foundation

/// Runs jobs on a fixed number of threads of its own and hands their results back in the order the
/// jobs were submitted. The one ordered-parallel helper: the block parsers of the k6 points and
/// JMeter CSV adapters (`Sources/PerfgateIngest/Parsing/ParallelBlocks.swift`), the digests hashed
/// while a file is parsed (`Sources/PerfgateEngine/Ingest/Digest.swift`) and the report's pages
/// (``OrderedParallel/forEach(_:workers:inFlight:_:consume:)``) all run on it.
///
/// The submitting thread bounds the memory: a result is held until ``next(wait:)`` takes it, so a
/// caller that submits at most N jobs ahead of what it has taken holds at most N jobs and results.
/// Call ``stop()`` when done (a `defer` right after creating the pool): it drops the jobs not yet
/// started, tells running jobs they are cancelled, and waits for the threads.
package final class OrderedWorkPool<Job: Sendable, Output>: @unchecked Sendable {
    // Every stored property below is guarded by `cond`.
    private let cond = NSCondition()
    private var jobs: [(index: Int, job: Job)?] = []
    private var head = 0
    private var results: [Int: Output] = [:]
    private var noMore = false
    private var cancelled = false
    private var work: (@Sendable (Job, _ isCancelled: () -> Bool) -> Output)?
    private var running: Int
    // Used by the submitting thread only.
    private var submitted = 0
    private var taken = 0

    /// Starts `workers` threads (at least one). `work` runs on them, at most `workers` jobs at once;
    /// its second argument says whether ``stop()`` has been called, for long jobs that can end early.
    package init(
        workers: Int, stackSize: Int? = nil, work: @escaping @Sendable (Job, _ isCancelled: () -> Bool) -> Output
    ) {
        let workers = max(1, workers)
        self.work = work
        self.running = workers
        for _ in 0..<workers {
            let thread = Thread { self.workLoop() }
            if let stackSize { thread.stackSize = stackSize }
            thread.start()
        }
    }

    /// Jobs submitted and not yet taken by ``next(wait:)``.
    package var outstanding: Int { submitted - taken }

    /// Queues a job; its result is the `n`th that ``next(wait:)`` returns, n counting submissions.
    package func submit(_ job: Job) {
        cond.lock()
        jobs.append((submitted, job))
        cond.signal()
        cond.unlock()
        submitted += 1
    }

    /// The result of the oldest job not yet taken: waits for it when `wait`, else nil when it is not
    /// done yet. Nil when every submitted job has been taken.
    package func next(wait: Bool) -> Output? {
        guard taken < submitted else { return nil }
        cond.lock()
        defer { cond.unlock() }
        while results[taken] == nil {
            guard wait else { return nil }
            cond.wait()
        }
        let result = results.removeValue(forKey: taken)
        taken += 1
        return result
    }

    /// No more jobs will be submitted: the threads end once the queue is empty (the results stay to be taken).
    package func finishSubmitting() {
        cond.lock()
        noMore = true
        cond.broadcast()
        cond.unlock()
    }

    /// Drops the jobs not yet started, cancels the running ones and waits for every thread to end.
    /// Safe to call more than once.
    package func stop() {
        cond.lock()
        defer { cond.unlock() }
        cancelled = true
        noMore = true
        cond.broadcast()
        while running > 0 { cond.wait() }
        // The pool no longer holds the work (nor what it captured) once its threads have ended.
        work = nil
        jobs = []
        head = 0
        results = [:]
    }

    private func workLoop() {
        let isCancelled = {
            self.cond.lock()
            defer { self.cond.unlock() }
            return self.cancelled
        }
        // The work is taken afresh with each job and let go before the next is asked for, so once the
        // thread has said it is done (`running`), it holds nothing the caller gave (see `stop()`).
        while let (index, job, work) = nextJob() {
            let result = work(job, isCancelled)
            cond.lock()
            results[index] = result
            cond.broadcast()
            cond.unlock()
        }
    }

    /// The next job and the work to run on it; nil, once the thread is counted out of `running`, when
    /// there is none left or the pool was stopped.
    private func nextJob() -> (Int, Job, @Sendable (Job, _ isCancelled: () -> Bool) -> Output)? {
        cond.lock()
        defer { cond.unlock() }
        while head == jobs.count && !noMore && !cancelled { cond.wait() }
        guard !cancelled, head < jobs.count, let work else {
            running -= 1
            cond.broadcast()
            return nil
        }
        let (index, job) = jobs[head]!
        jobs[head] = nil
        head += 1
        if head > 64 && head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return (index, job, work)
    }
}

/// Ordered parallel loops over ``OrderedWorkPool``.
package enum OrderedParallel {
    /// Threads for CPU-bound work: one per core, at most 8.
    package static var defaultWorkers: Int { max(1, min(8, ProcessInfo.processInfo.activeProcessorCount)) }

    /// Runs `work` over `items` on `workers` threads, at most `inFlight` items ahead of the one being
    /// consumed (so memory stays bounded), and hands each result to `consume` on the calling thread in
    /// the order of `items`. The first error (in the order of `items`, from `work` or `consume`) is
    /// thrown and nothing after it is consumed. `work` must be safe to call concurrently.
    package static func forEach<T, R>(
        _ items: [T], workers: Int = defaultWorkers, inFlight: Int, _ work: (T) throws -> R,
        consume: (T, R) throws -> Void
    ) throws {
        guard !items.isEmpty else { return }
        try withoutActuallyEscaping(work) { work in
            let shared = Unchecked((items: items, work: work))
            let pool = OrderedWorkPool<Int, Result<R, any Error>>(workers: min(workers, items.count)) { i, _ in
                let (items, work) = shared.value
                return Result { try work(items[i]) }
            }
            defer { pool.stop() }
            var submitted = 0
            for item in items {
                while submitted < items.count && pool.outstanding < max(1, inFlight) {
                    pool.submit(submitted)
                    submitted += 1
                }
                try consume(item, pool.next(wait: true)!.get())
            }
        }
    }

    /// Hands the caller's non-`Sendable` closure and items to the pool's threads; only read there.
    private final class Unchecked<Value>: @unchecked Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }
}
