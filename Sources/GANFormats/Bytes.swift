/// Bounds-unchecked integer loads and stores for the binary formats.
///
/// Every caller checks the length first and reports a truncation in its own words, so these
/// helpers stay tiny; Swift's array bounds checks still stop a caller's mistake from reading
/// out of range.
enum Bytes {
    static func uint16LE(_ b: [UInt8], at i: Int) -> UInt16 {
        UInt16(b[i]) | UInt16(b[i + 1]) << 8
    }

    static func uint32BE(_ b: [UInt8], at i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    static func uint32LE(_ b: [UInt8], at i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    static func uint64LE(_ b: [UInt8], at i: Int) -> UInt64 {
        UInt64(uint32LE(b, at: i)) | UInt64(uint32LE(b, at: i + 4)) << 32
    }

    static func appendUInt16LE(_ v: UInt16, to b: inout [UInt8]) {
        b.append(UInt8(truncatingIfNeeded: v))
        b.append(UInt8(truncatingIfNeeded: v >> 8))
    }

    static func appendUInt32BE(_ v: UInt32, to b: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { b.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }

    static func appendUInt64LE(_ v: UInt64, to b: inout [UInt8]) {
        for shift in stride(from: 0, to: 64, by: 8) { b.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
    }
}

/// Sizes declared by a file are hostile until proven otherwise: these never trap.
enum Sizes {
    /// The product of `dims`, or nil if any is negative or the product overflows `Int`.
    static func product(_ dims: [Int]) -> Int? {
        var result = 1
        for d in dims {
            guard d >= 0 else { return nil }
            let (p, overflow) = result.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            result = p
        }
        return result
    }

    /// `count * size`, or nil on overflow.
    static func bytes(count: Int, size: Int) -> Int? {
        let (p, overflow) = count.multipliedReportingOverflow(by: size)
        return overflow ? nil : p
    }

    /// "60000×28×28", the way dimensions are shown in messages.
    static func describe(_ dims: [Int]) -> String { dims.map(String.init).joined(separator: "×") }
}
