extension StringProtocol {
    /// Without the leading and trailing Unicode scalars `drop` accepts: `trimmingCharacters(in:)` without
    /// Foundation's NSString round trip, which k6 summaries paid per metric name (ci/bench-small.sh).
    /// Ingest's name trims and ``Statistic/parse(_:)`` use it.
    package func trimmed(where drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }), let last = scalars.lastIndex(where: { !drop($0) }) else {
            return ""
        }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars[first...last])
        return out
    }

    /// Without leading and trailing `CharacterSet.whitespaces`: tab and the space separators.
    package var trimmedOfWhitespace: String { trimmed { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator } }
}
