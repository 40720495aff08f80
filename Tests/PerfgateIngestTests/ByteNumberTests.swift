import Foundation
import Testing

@testable import PerfgateIngest

/// `ByteNumber.double` reads a field exactly as `Double(String)` does: the same value to the last bit
/// (the fast path is exact), and nil for the same texts.
@Suite("byte numbers")
struct ByteNumberTests {
    static func read(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { ByteNumber.double($0) }
    }

    @Test func agreesWithTheStandardLibraryToTheLastBit() {
        var texts = [
            "0", "-0", "1.000000", "43.255076", "0.000001", "9007199254740993", "123456789012345678901", "1e22", "1e23",
            "2.5e-3", "-1.5E+2", "1795478397", "1795478397.123", "0.1", "0.30000000000000004", "4.9e-324", "1.7976931348623157e308",
            "1e400", "+1", ".5", "1.", "inf", "-infinity", "nan", "0x1p3", "", "-", "1e", "1.2.3", " 1", "1 ", "01", "1,5", "12abc",
        ]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let digits = Int.random(in: 1...20, using: &rng)
            var t = String((0..<digits).map { _ in "0123456789".randomElement(using: &rng)! })
            if Bool.random(using: &rng) { t.insert(".", at: t.index(t.startIndex, offsetBy: Int.random(in: 0...digits, using: &rng))) }
            if Int.random(in: 0..<4, using: &rng) == 0 { t += "e\(Int.random(in: -30...30, using: &rng))" }
            texts.append(Bool.random(using: &rng) ? "-" + t : t)
        }
        for t in texts {
            let expected = Double(t)
            let got = Self.read(t)
            #expect(got?.bitPattern == expected?.bitPattern || (got?.isNaN == true && expected?.isNaN == true), "\(t.debugDescription)")
        }
    }
}
