import Foundation
import PerfgateCore
import PerfgateIngest

/// Server-side series (Prometheus `query_range` files) join a load-test run instead of being runs of
/// their own (docs/server-metrics.md). Kept apart from the pipeline so the orchestration can move
/// with it: ``IngestPipeline/parseRuns(_:)`` calls ``attachByTime(_:)`` once, `ingest --attach-to`
/// calls ``attach(_:to:store:)``.
extension IngestPipeline {
    /// Folds every Prometheus file into the load-test run of the same call whose window (`startedAt`
    /// + duration) its samples overlap most: samples outside the window are dropped (one note), the
    /// statistics are taken over the window, and the file becomes one of the run's sources. A file
    /// that overlaps no run is an error (exit 65) naming the file, its time span and `--attach-to`.
    /// With `keepUnattached` (ingest --attach-to) the Prometheus files are returned untouched instead.
    public static func attachByTime(_ parsed: [Parsed], keepUnattached: Bool, events: IngestEvents) throws -> (runs: [Parsed], server: [Parsed]) {
        let server = parsed.filter { $0.format == .prometheusQueryRange }
        var runs = parsed.filter { $0.format != .prometheusQueryRange }
        guard !server.isEmpty, !keepUnattached else { return (runs, server) }
        for p in server {
            let all = p.run.serverSeries ?? []
            let path = p.set.primary.displayPath
            let candidates = runs.indices.compactMap { i -> (Int, Double)? in
                guard let start = runs[i].run.startedAt, let d = runs[i].run.durationSeconds else { return nil }
                let o = ServerMetrics.overlap(all, start: start, duration: d)
                return o > 0 ? (i, o) : nil
            }
            guard let (i, _) = candidates.max(by: { $0.1 < $1.1 }), let start = runs[i].run.startedAt,
                let duration = runs[i].run.durationSeconds
            else {
                throw PerfgateError(
                    .malformedInput, "\(path): its samples \(Self.span(all)) overlap no load-test run of this ingest",
                    at: SourceLocation(file: path),
                    notes: [
                        "a run's window is its start and duration as its file states them (k6 points, Locust _stats_history.csv, …); a summary without a start time has none",
                        "to attach it to a stored run instead, find the run's id with `perfgate runs` and pass it as --attach-to",
                    ])
            }
            try merge(p, into: &runs[i], start: start, duration: duration, events: events)
        }
        return (runs, [])
    }

    /// Cuts the server series of `p` to the window and adds them to `target` (statistics, samples, source).
    static func merge(_ p: Parsed, into target: inout Parsed, start: Date, duration: Double, events: IngestEvents) throws {
        let path = p.set.primary.displayPath
        let (kept, dropped) = window(p, start: start, duration: duration, events: events)
        let summaries = kept.compactMap(ServerMetrics.summary)
        let present = Set(target.run.series.map(\.key))
        if let clash = summaries.first(where: { present.contains($0.key) }) {
            throw PerfgateError(
                .malformedInput,
                "\(path): the run of \(target.set.primary.displayPath) already has a series \(clash.key.metric)",
                at: SourceLocation(file: path), notes: ["each server metric may be attached to a run once"])
        }
        target.run.series += summaries
        target.run.series.sort { $0.key < $1.key }
        target.run.serverSeries = (target.run.serverSeries ?? []) + kept
        target.context.sources += p.context.sources
        events.diagnostic(Diagnostic(.note, 
                "\(path): \(kept.count) server series attached to the run of \(target.set.primary.displayPath)"
                    + (dropped > 0 ? " (\(dropped) samples outside the run's window dropped)" : "")))
    }

    /// The series cut to the window, with the notes every attachment prints (counters, warnings).
    public static func window(_ p: Parsed, start: Date, duration: Double, events: IngestEvents) -> (kept: [ServerSeries], dropped: Int) {
        let path = p.set.primary.displayPath
        let (kept, dropped) = ServerMetrics.window(p.run.serverSeries ?? [], start: start, duration: duration)
        for s in kept where ServerMetrics.isCounter(s.name) {
            events.diagnostic(Diagnostic(.note, 
                    "\(path): \(s.name) is a counter (a running total); perfgate computes no rate: query rate(\(ServerMetrics.baseName(s.name))[1m]) for one per second"
                ))
        }
        if let w = p.run.tags[PrometheusQueryRangeAdapter.warningsTag] {
            events.diagnostic(Diagnostic(.warning, "\(path): Prometheus warned: \(w)"))
        }
        return (kept, dropped)
    }

    public static func span(_ series: [ServerSeries]) -> String {
        let times = series.flatMap { $0.samples.map(\.time) }
        guard let lo = times.min(), let hi = times.max() else { return "(none)" }
        return span(Date(timeIntervalSince1970: lo), hi - lo)
    }

    public static func span(_ start: Date, _ duration: Double) -> String {
        let f = ISO8601DateFormatter()
        return "\(f.string(from: start)) to \(f.string(from: start.addingTimeInterval(duration)))"
    }
}
