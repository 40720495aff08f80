import Foundation
import PerfgateCore

/// Interns byte strings (tag values, metric names) to small integer ids without allocating a String per
/// occurrence: FNV-1a into an open-addressing table over one byte arena. A String is made once per
/// distinct value.
struct K6ByteInterner {
    private var arena: [UInt8] = []
    private var starts: [Int] = []
    private var lengths: [Int] = []
    private var hashes: [UInt64] = []
    private var slots: [Int32] = Array(repeating: -1, count: 256)
    private(set) var strings: [String] = []

    var count: Int { strings.count }

    /// True when `id` holds exactly these bytes (the one-entry caches use it).
    @inline(__always)
    func equals(_ id: Int32, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let i = Int(id)
        guard lengths[i] == n else { return false }
        if n == 0 { return true }
        return arena.withUnsafeBufferPointer { memcmp($0.baseAddress! + starts[i], p, n) == 0 }
    }

    mutating func intern(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for k in 0..<n { h = (h ^ UInt64(p[k])) &* 0x0000_0100_0000_01b3 }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h ^ (h >> 29)) & mask
        while true {
            let id = slots[slot]
            if id < 0 { break }
            if hashes[Int(id)] == h && equals(id, p, n) { return id }
            slot = (slot + 1) & mask
        }
        let id = Int32(strings.count)
        starts.append(arena.count)
        lengths.append(n)
        hashes.append(h)
        arena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        strings.append(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
        slots[slot] = id
        if strings.count * 2 > slots.count { rehash() }
        return id
    }

    mutating func intern(_ s: String) -> Int32 {
        var s = s
        return s.withUTF8 { buf in
            guard let base = buf.baseAddress else {
                var empty: UInt8 = 0
                return intern(&empty, 0)
            }
            return intern(base, buf.count)
        }
    }

    private mutating func rehash() {
        let size = slots.count * 2
        slots = Array(repeating: -1, count: size)
        for id in 0..<hashes.count {
            var slot = Int(truncatingIfNeeded: hashes[id] ^ (hashes[id] >> 29)) & (size - 1)
            while slots[slot] >= 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = Int32(id)
        }
    }
}

/// A one-entry cache in front of an interner: consecutive points mostly repeat the same tag value.
struct K6InternCache {
    var last: Int32 = -1

    @inline(__always)
    mutating func id(_ p: UnsafePointer<UInt8>, _ n: Int, in interner: inout K6ByteInterner) -> Int32 {
        if last >= 0 && interner.equals(last, p, n) { return last }
        last = interner.intern(p, n)
        return last
    }
}
