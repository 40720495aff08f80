import Foundation
import PerfgateCore

extension JSONNode {
    /// Fails on the first member of this object whose key is not in `allowed`, naming its JSON path
    /// and suggesting the closest allowed key when one is close.
    func requireOnlyKeys(_ allowed: [String]) throws {
        if let first = try unknownKeys(allowed).first { throw first }
    }

    /// One error per member whose key is not in `allowed`, in key order, each with its suggestion.
    func unknownKeys(_ allowed: [String]) throws -> [IngestError] {
        try keys().filter { !allowed.contains($0) }.map { key in
            var message = "unknown key \"\(key)\""
            if let hint = StrictKeys.suggestion(for: key, among: allowed) { message += "; did you mean \"\(hint)\"?" }
            return IngestError.at(file, path: JSONPath.child(path, key: key), message)
        }
    }
}

enum StrictKeys {
    /// The closest candidate by edit distance (case-insensitive, transpositions count as one edit),
    /// when it is close enough to be a typo.
    static func suggestion(for key: String, among candidates: [String]) -> String? {
        KeySuggestion.nearest(to: key, among: candidates, transpositions: true) { c, _ in Swift.max(1, Swift.min(3, c / 3)) }
    }
}
