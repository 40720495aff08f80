import Foundation
import PerfgateCore

/// Where output goes: results to stdout, diagnostics and progress to stderr.
enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// Writes `text` to stdout as it is (no line break added).
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    /// `PERFGATE_FORCE_TTY=1` makes perfgate behave as on a terminal (colours, progress bar) with
    /// output to a pipe; for perfgate's own tests only.
    static let forceTTY = ProcessInfo.processInfo.environment["PERFGATE_FORCE_TTY"] == "1"
    static var stderrIsTTY: Bool { isatty(2) == 1 || forceTTY }
    static var stdoutIsTTY: Bool { isatty(1) == 1 || forceTTY }
    /// `NO_COLOR` set to anything but the empty string turns colours off (no-color.org).
    static let noColor = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
    /// Colours on stdout: a terminal and no `NO_COLOR`.
    static var colorStdout: Bool { stdoutIsTTY && !noColor }
    static var colorStderr: Bool { stderrIsTTY && !noColor }

    /// Prints a diagnostic compiler-style on stderr, coloured only on a terminal.
    static func print(_ d: Diagnostic) {
        var text = d.rendered
        if colorStderr {
            let color: String
            switch d.severity {
            case .error: color = "\u{1B}[1;31m"
            case .warning: color = "\u{1B}[1;33m"
            case .note: color = "\u{1B}[1;36m"
            }
            text = text.replacingOccurrences(
                of: "\(d.severity.rawValue): ", with: "\(color)\(d.severity.rawValue):\u{1B}[0m ", options: [],
                range: text.range(of: "\(d.severity.rawValue): "))
        }
        err(text)
    }

    /// Every diagnostic of one error, at most ``Diagnostic/printLimit``, then "and N more".
    static func printAll(_ ds: [Diagnostic]) {
        for d in ds.prefix(Diagnostic.printLimit) { print(d) }
        if ds.count > Diagnostic.printLimit {
            let more = ds.count - Diagnostic.printLimit
            note("and \(more) more error\(more == 1 ? "" : "s") (\(ds.count) in all)")
        } else if ds.count > 1 {
            note("\(ds.count) errors")
        }
    }

    static func note(_ message: String) { print(Diagnostic(.note, message)) }
    static func warning(_ message: String) { print(Diagnostic(.warning, message)) }
}

/// A progress bar on stderr, drawn only when stderr is a terminal and the file is large enough to
/// wait for: `k6.ndjson.gz ███████░░░░ 41% 120/293 MB 85.2 MB/s ETA 2s`.
final class ProgressBar: @unchecked Sendable {
    private let total: Int64
    private let label: String
    private let enabled: Bool
    private let lock = NSLock()
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var finished = false

    init(label: String, total: Int64?) {
        self.total = max(total ?? 0, 1)
        self.label = label
        self.enabled = Console.stderrIsTTY && (total ?? 0) > 4 << 20
    }

    func update(_ done: Int64) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard !finished, now.timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = now
        FileHandle.standardError.write(
            Data(("\r" + Self.line(label: label, done: done, total: total, elapsed: now.timeIntervalSince(start)) + "\u{1B}[K").utf8))
    }

    /// One frame: bar, percentage, MB done of total, rate and time left (bytes are on-disk bytes).
    static func line(label: String, done: Int64, total: Int64, elapsed: TimeInterval) -> String {
        let fraction = min(1, max(0, Double(done) / Double(max(total, 1))))
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let mb = 1_048_576.0
        let amount = "\(Formatting.fixed(Double(done) / mb, 0))/\(Formatting.fixed(Double(total) / mb, 0)) MB"
        var s = "\(label) \(bar) \(Int(fraction * 100))% \(amount)"
        if elapsed > 0.05, done > 0 {
            let rate = Double(done) / elapsed
            s += " \(Formatting.fixed(rate / mb, 1)) MB/s"
            let left = Double(max(0, total - done)) / rate
            s += " ETA " + Self.duration(left)
        } else {
            s += " – MB/s ETA –"
        }
        return s
    }

    /// `7s`, `2m05s`, `1h02m`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "–" }
        let s = Int(seconds.rounded(.up))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + (s % 60 < 10 ? "0" : "") + "\(s % 60)s" }
        return "\(s / 3600)h" + ((s % 3600) / 60 < 10 ? "0" : "") + "\((s % 3600) / 60)m"
    }

    func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        finished = true
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
