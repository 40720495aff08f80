import Foundation
import PerfgateCore

/// Where output goes: results to stdout, diagnostics and progress to stderr.
enum Console {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static var stderrIsTTY: Bool { isatty(2) == 1 }
    static var stdoutIsTTY: Bool { isatty(1) == 1 }

    /// Prints a diagnostic compiler-style on stderr, coloured only on a terminal.
    static func print(_ d: Diagnostic) {
        var text = d.rendered
        if stderrIsTTY && ProcessInfo.processInfo.environment["NO_COLOR"] == nil {
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

    static func note(_ message: String) { print(Diagnostic(.note, message)) }
    static func warning(_ message: String) { print(Diagnostic(.warning, message)) }
}

/// A progress bar on stderr, drawn only when stderr is a terminal.
final class ProgressBar: @unchecked Sendable {
    private let total: Int64
    private let label: String
    private let enabled: Bool
    private let lock = NSLock()
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
        let fraction = min(1, Double(done) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let mb = Double(done) / 1_048_576
        FileHandle.standardError.write(
            Data("\r\(label) \(bar) \(Int(fraction * 100))% \(String(format: "%.0f", mb)) MB".utf8))
    }

    func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        finished = true
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
