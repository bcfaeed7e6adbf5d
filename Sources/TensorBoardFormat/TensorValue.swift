/// The parts of a `TensorProto` that scalars and images come in.
///
/// TF2 writes a scalar as a rank-0 tensor, its value in `tensor_content` (raw little-endian
/// bytes) or in `float_val` / `double_val`; an image as a rank-1 string tensor
/// `[width, height, png, png…]`.
struct TensorValue {
    /// DataType: 1 float, 2 double, 3 int32, 7 string, 9 int64, 19 half.
    var dtype: UInt64 = 0
    var shape: [Int64] = []
    private var buffer: [UInt8]
    private var content: Range<Int>?
    private var floats: [Float] = []
    private var doubles: [Double] = []
    private var integers: [Int64] = []
    private var halves: [UInt16] = []
    private var strings: [Range<Int>] = []

    init(_ message: ProtoReader) throws {
        buffer = message.buffer
        var reader = message
        while let field = try reader.next() {
            switch (field.number, field.value) {
            case (1, .varint(let v)): dtype = v
            case (2, .bytes(let r)): shape = try Self.dimensions(reader.reader(r))
            case (4, .bytes(let r)): content = r
            case (5, .fixed32(let bits)): floats.append(Float(bitPattern: bits))
            case (5, .bytes(let r)): floats += Self.packedFixed(buffer, r, size: 4).map { Float(bitPattern: UInt32($0)) }
            case (6, .fixed64(let bits)): doubles.append(Double(bitPattern: bits))
            case (6, .bytes(let r)): doubles += Self.packedFixed(buffer, r, size: 8).map { Double(bitPattern: $0) }
            case (7, .varint(let v)), (10, .varint(let v)): integers.append(Int64(bitPattern: v))
            case (7, .bytes(let r)), (10, .bytes(let r)): integers += try Self.packedVarints(reader.reader(r)).map { Int64(bitPattern: $0) }
            case (13, .varint(let v)): halves.append(UInt16(truncatingIfNeeded: v))
            case (13, .bytes(let r)): halves += try Self.packedVarints(reader.reader(r)).map { UInt16(truncatingIfNeeded: $0) }
            case (8, .bytes(let r)): strings.append(r)
            default: break
            }
        }
    }

    /// The value of a one-element numeric tensor, or nil.
    var scalar: Double? {
        guard shape.allSatisfy({ $0 == 1 }) else { return nil }
        if let content, !content.isEmpty {
            let size = dtype == 2 || dtype == 9 ? 8 : dtype == 19 ? 2 : 4
            guard content.count == size else { return nil }
            let raw = Self.packedFixed(buffer, content, size: size)
            switch dtype {
            case 1: return Double(Float(bitPattern: UInt32(raw[0])))
            case 2: return Double(bitPattern: raw[0])
            case 3: return Double(Int32(truncatingIfNeeded: raw[0]))
            case 9: return Double(Int64(bitPattern: raw[0]))
            case 19: return Self.halfToDouble(UInt16(raw[0]))
            default: return nil
            }
        }
        switch dtype {
        case 1: return floats.count == 1 ? Double(floats[0]) : nil
        case 2: return doubles.count == 1 ? doubles[0] : nil
        case 3, 9: return integers.count == 1 ? Double(integers[0]) : nil
        case 19: return halves.count == 1 ? Self.halfToDouble(halves[0]) : nil
        default: return nil
        }
    }

    /// The images of an image-plugin tensor; empty if it is not shaped like one.
    func imageStrings() -> [EncodedImage] {
        guard dtype == 7, strings.count >= 3 else { return [] }
        let text = { (r: Range<Int>) in String(decoding: buffer[r], as: UTF8.self) }
        guard let width = Int(text(strings[0])), let height = Int(text(strings[1])) else { return [] }
        return strings[2...].map { EncodedImage(width: width, height: height, colorspace: 0, encoded: Array(buffer[$0])) }
    }

    /// TensorShapeProto: repeated Dim dim = 2, each with int64 size = 1.
    private static func dimensions(_ message: ProtoReader) throws -> [Int64] {
        var reader = message
        var dims: [Int64] = []
        while let field = try reader.next() {
            guard field.number == 2, let r = field.value.asRange else { continue }
            var dim = reader.reader(r)
            var size: Int64 = 0
            while let f = try dim.next() { if f.number == 1, let v = f.value.asVarint { size = Int64(bitPattern: v) } }
            dims.append(size)
        }
        return dims
    }

    /// Little-endian values of `size` bytes; a trailing partial value is dropped.
    private static func packedFixed(_ b: [UInt8], _ r: Range<Int>, size: Int) -> [UInt64] {
        stride(from: r.lowerBound, to: r.upperBound - size + 1, by: size).map { i in
            var v: UInt64 = 0
            for k in 0..<size { v |= UInt64(b[i + k]) << UInt64(8 * k) }
            return v
        }
    }

    private static func packedVarints(_ message: ProtoReader) throws -> [UInt64] {
        var reader = message
        var values: [UInt64] = []
        while reader.position < reader.end { values.append(try reader.varint()) }
        return values
    }

    private static func halfToDouble(_ h: UInt16) -> Double {
        let sign: Double = h & 0x8000 != 0 ? -1 : 1
        let exponent = Int(h >> 10) & 0x1F
        let fraction = Double(h & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}
