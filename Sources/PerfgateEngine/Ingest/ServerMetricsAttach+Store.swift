import Foundation
import PerfgateCore
import PerfgateIngest

/// `ingest --attach-to`: the store side of server metrics (the time-overlap part is in
/// ServerMetricsAttach.swift).
extension IngestPipeline {
    /// `ingest FILE --attach-to ID`: adds each Prometheus file's series to the stored run, cut to its
    /// window. Everything is checked on a read-only connection first, so a refusal leaves the store
    /// byte-identical; `openWriter` is called only when there is something to write. `attached` gets one
    /// line per file attached.
    package static func attach(
        _ server: [Parsed], to runId: Int64, reader: (any ServerSeriesAttaching)?, openWriter: () throws -> any ServerSeriesAttaching,
        events: IngestEvents, attached: (String) -> Void
    ) throws {
        guard !server.isEmpty else {
            throw PerfgateError(.usage, "--attach-to \(runId): no Prometheus query_range file among the files to attach")
        }
        guard let reader, let run = try reader.run(id: runId) else {
            throw PerfgateError(.usage, "--attach-to \(runId): no stored run has that id", notes: ["`perfgate runs` lists the stored runs"])
        }
        guard let start = run.startedAt, let duration = run.durationSeconds else {
            throw PerfgateError(
                .usage, "--attach-to \(runId): the run has no start time and duration, so its window is unknown",
                notes: ["store the load test with a time-stamped file (k6 --out json, Locust --csv with _stats_history.csv)"])
        }
        let detail = try reader.detail(runId: runId)
        var present = Set(detail?.result.series.map(\.key) ?? [])
        var pending: [(Parsed, [ServerSeries], Int)] = []
        for p in server {
            let path = p.set.primary.displayPath
            let (kept, dropped) = window(p, start: start, duration: duration, events: events)
            guard !kept.isEmpty else {
                throw PerfgateError(
                    .malformedInput,
                    "\(path): its samples \(span(p.run.serverSeries ?? [])) are all outside run \(runId)'s window \(span(start, duration))",
                    at: SourceLocation(file: path))
            }
            for s in kept where !present.insert(SeriesKey(endpoint: "", metric: s.name)).inserted {
                throw PerfgateError(
                    .malformedInput, "\(path): run \(runId) already has the series \(s.name); nothing was stored",
                    at: SourceLocation(file: path), notes: ["each server metric may be attached to a run once"])
            }
            pending.append((p, kept, dropped))
        }
        let store = try openWriter()
        for (p, kept, dropped) in pending {
            // Drift over the stored run's steady state (docs/drift.md), as at ingest.
            var summaries = kept.compactMap(ServerMetrics.summary)
            Drift.annotate(
                &summaries, timeline: detail?.result.timeline, serverSeries: kept, startedAt: start, durationSeconds: duration)
            try store.attachServerSeries(
                runId: runId, scenario: run.scenario, summaries: summaries, samples: kept,
                source: p.context.sources[0])
            attached(
                "attached \(kept.count) server series of \(p.set.primary.displayPath) to run \(runId)"
                    + (dropped > 0 ? " (\(dropped) samples outside the run's window dropped)" : ""))
        }
    }

}
