import PerfgateCore

/// A store that takes server-side series onto a stored run (`ingest --attach-to`,
/// docs/server-metrics.md); both the SQLite and the PostgreSQL store do.
public protocol ServerSeriesAttaching: HistoryStore {
    /// Adds the series' statistics (measurements of series with endpoint `""`), their samples and the
    /// source file to the run, in one transaction; a series the run already has is refused and nothing
    /// is stored.
    func attachServerSeries(
        runId: Int64, scenario: String, summaries: [SeriesResult], samples: [ServerSeries], source: SourceFile
    ) throws
}
