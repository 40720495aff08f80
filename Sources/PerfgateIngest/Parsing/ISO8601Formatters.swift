import Foundation

/// Shared ISO 8601 formatters: building one (ICU) costs far more than using it, and importing a
/// history reads a few dates per run. Calls are serialised; a formatter's options never change.
public final class ISO8601Formatters: @unchecked Sendable {
    /// `.withInternetDateTime` (ISO8601DateFormatter's default).
    public static let internet = ISO8601Formatters([.withInternetDateTime])
    /// `.withInternetDateTime` and `.withFractionalSeconds`.
    public static let fractional = ISO8601Formatters([.withInternetDateTime, .withFractionalSeconds])

    private let lock = NSLock()
    private let formatter: ISO8601DateFormatter

    private init(_ options: ISO8601DateFormatter.Options) {
        formatter = ISO8601DateFormatter()
        formatter.formatOptions = options
    }

    public func date(from text: String) -> Date? {
        lock.lock()
        defer { lock.unlock() }
        return formatter.date(from: text)
    }

    public func string(from date: Date) -> String {
        lock.lock()
        defer { lock.unlock() }
        return formatter.string(from: date)
    }
}
