import PerfgateEngine

extension IngestEvents {
    /// Events nobody reads, for tests about something else.
    public static let discarded = IngestEvents(
        diagnostic: { _ in }, skipped: { _ in }, progress: { _, _ in IngestEvents.Progress(update: { _ in }, finish: {}) })
}
