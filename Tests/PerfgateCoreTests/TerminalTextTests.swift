import PerfgateCore
import Testing

@Suite("terminal text")
struct TerminalTextTests {
    @Test func controlCharactersAndBidiControlsBecomeVisibleEscapes() {
        #expect(TerminalText.escape("GET /x\n::error title=a::b") == #"GET /x\n::error title=a::b"#)
        #expect(TerminalText.escape("a\r\tb") == #"a\r\tb"#)
        #expect(TerminalText.escape("\u{1B}[31mred\u{1B}[0m") == #"\x1b[31mred\x1b[0m"#)
        #expect(TerminalText.escape("nul\u{0}del\u{7F}c1\u{85}") == #"nul\x00del\x7fc1\x85"#)
        #expect(TerminalText.escape("abc\u{202E}txt.exe\u{2066}") == #"abc\u{202E}txt.exe\u{2066}"#)
    }

    @Test func printableTextIsUnchanged() {
        for s in ["GET /api/users", "POST /api/orders?id=1", "p95 ≤ 200 ms", "名前 ✓ 🚀", ""] {
            #expect(TerminalText.escape(s) == s)
        }
    }
}
