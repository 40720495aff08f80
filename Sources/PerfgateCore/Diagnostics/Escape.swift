import Foundation

/// Escaping for text that Swift writes into HTML, SVG, XML and Markdown itself (templates escape on their
/// own): one escaper per output language, used by every output in it.
public enum Escape {
    /// Text and attribute values in HTML, SVG and XML (JUnit): `& < > " '`.
    public static func html(_ s: String) -> String {
        let original = s
        var s = s
        return s.withUTF8 { bytes in
            // Most values (numbers, dates, names) need nothing: return them as they are.
            guard let first = bytes.firstIndex(where: needsEscape) else { return original }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 16)
            out.append(contentsOf: bytes[..<first])
            for b in bytes[first...] {
                switch b {
                case 0x26: out.append(contentsOf: "&amp;".utf8)
                case 0x3C: out.append(contentsOf: "&lt;".utf8)
                case 0x3E: out.append(contentsOf: "&gt;".utf8)
                case 0x22: out.append(contentsOf: "&quot;".utf8)
                case 0x27: out.append(contentsOf: "&#39;".utf8)
                // Control characters are not allowed in XML (SVG); show them as a replacement mark (U+FFFD).
                case 0x0A, 0x09: out.append(b)
                case ..<0x20: out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                default: out.append(b)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    @inline(__always)
    private static func needsEscape(_ b: UInt8) -> Bool {
        (b < 0x20 && b != 0x0A && b != 0x09) || b == 0x26 || b == 0x3C || b == 0x3E || b == 0x22 || b == 0x27
    }

    /// One word for a POSIX shell, for commands perfgate prints as suggestions: as it is when it holds
    /// only characters no shell treats specially, else in single quotes (`'` written as `'\''`).
    public static func shell(_ s: String) -> String {
        let plain = !s.isEmpty && s.unicodeScalars.allSatisfy {
            ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || "_-./:@%+=,".unicodeScalars.contains($0)
        }
        return plain ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A cell of a Markdown table or a line of Markdown text (the gate's Markdown, the report's `summary.md`, `tune`): HTML is
    /// neutralised (GitHub renders inline HTML), table pipes, backslashes and emphasis characters are
    /// escaped, newlines become spaces.
    public static func markdown(_ s: String) -> String {
        var r = ""
        for ch in s {
            switch ch {
            case "|": r += "\\|"
            case "<": r += "&lt;"
            case ">": r += "&gt;"
            case "&": r += "&amp;"
            case "\n", "\r": r += " "
            case "*", "_", "`", "[", "]", "\\", "#", "~": r += "\\" + String(ch)
            default: r.append(ch)
            }
        }
        return r
    }
}
