/// Escaping for text that Swift writes into HTML, SVG and Markdown itself (templates escape on their own).
enum Escape {
    /// Text and attribute values in HTML and SVG: `& < > " '`.
    static func html(_ s: String) -> String {
        // Most values (numbers, dates, names) need nothing: return them as they are.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) {
            return s
        }
        var r = ""
        r.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": r += "&amp;"
            case "<": r += "&lt;"
            case ">": r += "&gt;"
            case "\"": r += "&quot;"
            case "'": r += "&#39;"
            default:
                // Control characters are not allowed in XML (SVG); show them as a replacement mark.
                if u.value < 0x20 && u != "\n" && u != "\t" { r += "\u{FFFD}" } else { r.unicodeScalars.append(u) }
            }
        }
        return r
    }

    /// A cell of a Markdown table or a line of Markdown text: HTML is neutralised (GitHub renders inline
    /// HTML), table pipes and emphasis characters are escaped, newlines become spaces.
    static func markdown(_ s: String) -> String {
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
