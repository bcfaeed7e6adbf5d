import GANFormats

/// The Protocol Buffers wire format, read by hand: only the few messages of an event file are
/// needed, unknown fields are skipped, and byte fields stay ranges into the record until used.
/// (docs/formats.md says why this is not swift-protobuf.)
struct ProtoReader {
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        /// A string, bytes, sub-message or packed repeated field: its bytes in the buffer.
        case bytes(Range<Int>)
    }

    struct Field {
        let number: Int
        let value: Value
    }

    let buffer: [UInt8]
    private(set) var position: Int
    let end: Int

    init(_ buffer: [UInt8], _ range: Range<Int>) {
        self.buffer = buffer
        position = range.lowerBound
        end = range.upperBound
    }

    /// The reader of a nested message or packed field.
    func reader(_ range: Range<Int>) -> ProtoReader { ProtoReader(buffer, range) }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw FormatError(file: "", "protobuf varint runs past its message") }
            let byte = buffer[position]
            position += 1
            if shift == 63, byte > 1 { throw FormatError(file: "", "protobuf varint is longer than 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    private mutating func fixed(_ count: Int) throws -> UInt64 {
        guard end - position >= count else { throw FormatError(file: "", "protobuf fixed\(count * 8) field runs past its message") }
        var v: UInt64 = 0
        for k in 0..<count { v |= UInt64(buffer[position + k]) << UInt64(8 * k) }
        position += count
        return v
    }

    /// The next field, or nil at the end of the message.
    mutating func next() throws -> Field? {
        guard position < end else { return nil }
        let key = try varint()
        let number = key >> 3
        guard number >= 1, number <= 536_870_911 else { throw FormatError(file: "", "protobuf field number \(number) is invalid") }
        switch key & 7 {
        case 0: return Field(number: Int(number), value: .varint(try varint()))
        case 1: return Field(number: Int(number), value: .fixed64(try fixed(8)))
        case 5: return Field(number: Int(number), value: .fixed32(UInt32(try fixed(4))))
        case 2:
            let length = try varint()
            guard length <= UInt64(end - position) else {
                throw FormatError(file: "", "protobuf field \(number) claims \(length) bytes, only \(end - position) remain")
            }
            let start = position
            position += Int(length)
            return Field(number: Int(number), value: .bytes(start..<position))
        default:
            throw FormatError(file: "", "protobuf wire type \(key & 7) (field \(number)) is not supported")
        }
    }

    func bytes(_ range: Range<Int>) -> [UInt8] { Array(buffer[range]) }
    func string(_ range: Range<Int>) -> String { String(decoding: buffer[range], as: UTF8.self) }
}

extension ProtoReader.Value {
    var asVarint: UInt64? { if case .varint(let v) = self { v } else { nil } }
    var asRange: Range<Int>? { if case .bytes(let r) = self { r } else { nil } }
    var asDouble: Double? { if case .fixed64(let v) = self { Double(bitPattern: v) } else { nil } }
    var asFloat: Float? { if case .fixed32(let v) = self { Float(bitPattern: v) } else { nil } }
}

/// Builds messages for the writer: fields appended in order, sub-messages built first.
struct ProtoWriter {
    private(set) var bytes: [UInt8] = []

    mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func key(_ number: Int, _ wireType: UInt64) { appendVarint(UInt64(number) << 3 | wireType) }

    mutating func varint(_ number: Int, _ value: UInt64) {
        key(number, 0)
        appendVarint(value)
    }

    mutating func int64(_ number: Int, _ value: Int64) { varint(number, UInt64(bitPattern: value)) }

    mutating func double(_ number: Int, _ value: Double) {
        key(number, 1)
        for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value.bitPattern >> UInt64(8 * k))) }
    }

    mutating func float(_ number: Int, _ value: Float) {
        key(number, 5)
        for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value.bitPattern >> UInt32(8 * k))) }
    }

    mutating func data(_ number: Int, _ value: [UInt8]) {
        key(number, 2)
        appendVarint(UInt64(value.count))
        bytes += value
    }

    mutating func string(_ number: Int, _ value: String) { data(number, Array(value.utf8)) }

    mutating func message(_ number: Int, _ build: (inout ProtoWriter) -> Void) {
        var inner = ProtoWriter()
        build(&inner)
        data(number, inner.bytes)
    }
}
