/// Element types shared by the safetensors and .npy formats.
public enum DType: String, CaseIterable, Sendable {
    case f32 = "F32"
    case u8 = "U8"
    case i64 = "I64"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f32: 4
        case .u8: 1
        case .i64: 8
        }
    }
}

/// An n-dimensional array in C order, stored as its little-endian bytes.
///
/// Keeping the raw bytes (rather than one array type per dtype) lets every format share one
/// type and makes equality exact, NaN payloads included. Typed views convert on demand.
public struct Tensor: Equatable, Sendable {
    public let dtype: DType
    public let shape: [Int]
    /// Little-endian element bytes, `elementCount * dtype.size` of them.
    public let bytes: [UInt8]

    public var elementCount: Int { bytes.count / dtype.size }

    /// Callers (the parsers) have already checked that the sizes agree.
    init(validated dtype: DType, shape: [Int], bytes: [UInt8]) {
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// Raw bytes; their count must be `product(shape) * dtype.size`.
    public init(dtype: DType, shape: [Int], bytes: [UInt8]) {
        let count = Sizes.product(shape)
        precondition(count.flatMap { Sizes.bytes(count: $0, size: dtype.size) } == bytes.count,
                     "Tensor: \(bytes.count) bytes do not fit shape \(shape) of \(dtype.rawValue)")
        self.init(validated: dtype, shape: shape, bytes: bytes)
    }

    public init(shape: [Int], floats: [Float]) {
        self.init(dtype: .f32, shape: shape, bytes: LittleEndian.bytes(of: floats))
    }

    public init(shape: [Int], uint8s: [UInt8]) {
        self.init(dtype: .u8, shape: shape, bytes: uint8s)
    }

    public init(shape: [Int], int64s: [Int64]) {
        self.init(dtype: .i64, shape: shape, bytes: LittleEndian.bytes(of: int64s))
    }

    /// The elements as floats, or nil if the dtype is not F32.
    public var floats: [Float]? { dtype == .f32 ? LittleEndian.values(bytes, as: Float.self) : nil }
    /// The elements as bytes, or nil if the dtype is not U8.
    public var uint8s: [UInt8]? { dtype == .u8 ? bytes : nil }
    /// The elements as 64-bit integers, or nil if the dtype is not I64.
    public var int64s: [Int64]? { dtype == .i64 ? LittleEndian.values(bytes, as: Int64.self) : nil }
}

/// Conversions between values and their little-endian bytes. Both formats are little-endian,
/// as is every machine gantop runs on, so this is a copy; the other branch keeps it correct
/// elsewhere.
enum LittleEndian {
    static func bytes<T: BitwiseCopyable>(of values: [T]) -> [UInt8] {
        #if _endian(little)
        return values.withUnsafeBytes { Array($0) }
        #else
        return values.withUnsafeBytes { raw in
            var out = [UInt8](); out.reserveCapacity(raw.count)
            for i in stride(from: 0, to: raw.count, by: MemoryLayout<T>.size) { out += raw[i..<i + MemoryLayout<T>.size].reversed() }
            return out
        }
        #endif
    }

    static func values<T: BitwiseCopyable>(_ bytes: [UInt8], as type: T.Type) -> [T] {
        let size = MemoryLayout<T>.size
        let count = bytes.count / size
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                let target = UnsafeMutableRawBufferPointer(buffer)
                #if _endian(little)
                target.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<count * size]))
                #else
                for i in 0..<count * size { target[i] = raw[(i / size) * size + size - 1 - i % size] }
                #endif
            }
            initialized = count
        }
    }
}
