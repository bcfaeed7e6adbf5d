/// A record that cannot be trusted: where it starts in its buffer (or file) and why.
public struct TFRecordError: Error, Equatable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var problem: String
    /// False when the length itself is unreadable, so the records after it cannot be found.
    public var canSkip: Bool
    /// Where the next record starts when `canSkip`.
    public var nextOffset: Int

    public var description: String { "corrupt record at byte \(offset): \(problem)" }
}

/// TFRecord framing: u64 length (little-endian), masked CRC-32C of those 8 bytes, the data,
/// masked CRC-32C of the data.
///
/// Works on a byte buffer so that followers, `inspect` and fuzz harnesses share it. Running
/// out of bytes inside a record is not an error: the record is still being written, and
/// `next()` returns nil with `offset` left at its start.
public struct TFRecordReader {
    /// Frame bytes around the data: length, its CRC, and the data's CRC.
    public static let headerSize = 12
    public static let overhead = 16
    /// Longer records are refused before anything is allocated (a garbage length would otherwise
    /// make a follower wait forever for gigabytes). TensorBoard's biggest are images and graphs.
    public static let maxRecordLength = 256 << 20

    public let bytes: [UInt8]
    /// Where the next record starts.
    public private(set) var offset: Int
    private let maxLength: Int

    public init(bytes: [UInt8], offset: Int = 0, maxRecordLength: Int = TFRecordReader.maxRecordLength) {
        self.bytes = bytes
        self.offset = offset
        maxLength = maxRecordLength
    }

    /// The next complete record's data as a range of `bytes`, or nil if the buffer ends first.
    /// A bad CRC or an absurd length throws; after a bad data CRC, `skip(_:)` moves past it.
    public mutating func next() throws(TFRecordError) -> Range<Int>? {
        let start = offset
        guard bytes.count - start >= Self.headerSize else { return nil }
        let length = Self.uint64LE(bytes, at: start)
        let lengthCRC = Self.uint32LE(bytes, at: start + 8)
        guard CRC32C.maskedChecksum(bytes, start..<(start + 8)) == lengthCRC else {
            throw TFRecordError(offset: start, problem: "the length's CRC does not match (not an event file, or damaged)",
                                canSkip: false, nextOffset: start)
        }
        guard length <= UInt64(maxLength) else {
            throw TFRecordError(offset: start, problem: "record claims \(length) bytes, more than the \(maxLength >> 20) MB limit",
                                canSkip: false, nextOffset: start)
        }
        let dataStart = start + Self.headerSize
        let dataEnd = dataStart + Int(length)
        guard bytes.count - dataEnd >= 4 else { return nil }
        let next = dataEnd + 4
        guard CRC32C.maskedChecksum(bytes, dataStart..<dataEnd) == Self.uint32LE(bytes, at: dataEnd) else {
            throw TFRecordError(offset: start, problem: "the data's CRC does not match", canSkip: true, nextOffset: next)
        }
        offset = next
        return dataStart..<dataEnd
    }

    /// Moves past a record whose data was damaged but whose length could be trusted.
    public mutating func skip(_ error: TFRecordError) {
        if error.canSkip { offset = error.nextOffset }
    }

    /// One framed record, ready to append to a file.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + overhead)
        let length = UInt64(data.count)
        for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: length >> UInt64(8 * k))) }
        appendUInt32LE(CRC32C.maskedChecksum(out, 0..<8), to: &out)
        out += data
        appendUInt32LE(CRC32C.mask(CRC32C.checksum(data)), to: &out)
        return out
    }

    static func uint32LE(_ b: [UInt8], at i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    static func uint64LE(_ b: [UInt8], at i: Int) -> UInt64 {
        UInt64(uint32LE(b, at: i)) | UInt64(uint32LE(b, at: i + 4)) << 32
    }

    private static func appendUInt32LE(_ v: UInt32, to b: inout [UInt8]) {
        for k in 0..<4 { b.append(UInt8(truncatingIfNeeded: v >> UInt32(8 * k))) }
    }
}
