import PerfgateCore
import PerfgateEngine

// The engine's use cases wired to the real ports: the SQLite store and the `git` executable.

extension CheckEngine {
    init(store: any HistoryStore) { self.init(store: store, git: GitCLI()) }
}

extension RevisionResolver {
    init(store: (any HistoryStore)?) { self.init(store: store, git: GitCLI()) }
}

extension IngestEvents {
    /// Notes and warnings compiler-style on stderr, skipped files as one line each, a progress bar on a
    /// terminal.
    static let console = IngestEvents(
        diagnostic: { Console.print($0) },
        skipped: { Console.err(TerminalText.escape($0)) },
        progress: { name, bytes in
            let bar = ProgressBar(label: name, total: bytes)
            return IngestEvents.Progress(update: { bar.update($0) }, finish: { bar.finish() })
        })
}
