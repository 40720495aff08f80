import Foundation

extension JSONNode {
    /// Fails on the first member of this object whose key is not in `allowed`, naming its JSON path
    /// and suggesting the closest allowed key when one is close.
    func requireOnlyKeys(_ allowed: [String]) throws {
        for key in try keys() where !allowed.contains(key) {
            var message = "unknown key \"\(key)\""
            if let hint = StrictKeys.suggestion(for: key, among: allowed) { message += "; did you mean \"\(hint)\"?" }
            throw IngestError.at(file, path: JSONNode.childPath(path, key: key), message)
        }
    }
}

enum StrictKeys {
    /// The closest candidate by edit distance (case-insensitive), when it is close enough to be a typo.
    static func suggestion(for key: String, among candidates: [String]) -> String? {
        let k = Array(key.lowercased())
        var best: (String, Int)?
        for c in candidates {
            let d = distance(k, Array(c.lowercased()))
            if d <= Swift.max(1, Swift.min(3, c.count / 3)), best == nil || d < best!.1 { best = (c, d) }
        }
        return best?.0
    }

    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        var prevPrev = prev
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                // An adjacent transposition ("maen" → "mean") counts as one edit.
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    cur[j] = Swift.min(cur[j], prevPrev[j - 2] + 1)
                }
            }
            prevPrev = prev
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}
