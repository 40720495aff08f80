import Foundation
import PerfgateCore

/// Parses a line-oriented file on several threads: the calling thread reads blocks of whole lines
/// (``InputFile/forEachLineBlock(blockSize:_:)``) and turns each into a job, the workers of an
/// ``OrderedWorkPool`` run `work` on the jobs, and the calling thread hands every result to `merge`
/// in file order. At most `2 × workers` blocks are in memory at once, so memory stays constant in
/// the file size.
///
/// `merge` runs on the calling thread, in order, and may throw: the first error (in file order) stops
/// the workers and is rethrown, exactly as a serial parse would have stopped there.
enum ParallelBlocks {
    static func run<Job: Sendable, Result>(
        _ file: InputFile, blockSize: Int = 4 << 20, workers: Int = OrderedParallel.defaultWorkers,
        job: ([UInt8]) -> Job,
        work: @escaping @Sendable (Job) -> Result,
        merge: (Job, Result) throws -> Void
    ) throws {
        let workers = max(1, workers)
        let pool = OrderedWorkPool<Job, Result>(workers: workers, stackSize: 1 << 20) { job, _ in work(job) }
        defer { pool.stop() }
        var pending: [Job] = []
        var mergeFailed = false
        func mergeNext(wait: Bool) throws -> Bool {
            guard let result = pool.next(wait: wait) else { return false }
            let job = pending.removeFirst()
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
                while pool.outstanding >= inFlight { _ = try mergeNext(wait: true) }
                while try mergeNext(wait: false) {}
                // The job is made after merging what is ready, so it sees as much merged state as possible.
                let j = job(block)
                pending.append(j)
                pool.submit(j)
            }
        } catch let readError where !mergeFailed {
            // A read error (truncated gzip, say) comes after every line already read: an error in those
            // lines is reported first, as a serial parse would.
            pool.finishSubmitting()
            while try mergeNext(wait: true) {}
            throw readError
        }
        pool.finishSubmitting()
        while try mergeNext(wait: true) {}
    }
}
