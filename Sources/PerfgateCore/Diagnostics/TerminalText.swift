/// Text that came from input (endpoint names, scenario names, file names, messages quoting input) as
/// it may be shown on a terminal or in a CI log. Control characters (C0, DEL, C1) and the Unicode
/// bidirectional controls become visible escapes (`\n`, `\r`, `\t`, `\x1b`, `\u{202E}`), so input can
/// neither move the cursor, colour the screen, hide text, nor start a line that a CI reads as a
/// command (`::error …` on GitHub Actions). The one escaper for plain-text output; Markdown, HTML,
/// JSON and GitHub annotations have their own.
public enum TerminalText {
    public static func escape(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: needsEscape) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for u in s.unicodeScalars {
            guard needsEscape(u) else {
                out.unicodeScalars.append(u)
                continue
            }
            switch u {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                let hex = String(u.value, radix: 16, uppercase: u.value > 0xFF)
                out += u.value <= 0xFF
                    ? "\\x" + (hex.count == 1 ? "0" + hex : hex) : "\\u{" + hex + "}"
            }
        }
        return out
    }

    static func needsEscape(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true  // bidi controls
        default: return false
        }
    }
}
