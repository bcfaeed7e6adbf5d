import Foundation

/// numpy's `.npy` format, so that samples and weights open with a bare `numpy.load`.
///
/// Layout: `\x93NUMPY`, version bytes, a little-endian header length (u16 in version 1.0, u32
/// in 2.0 and 3.0), then a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 28, 28), }` padded with spaces and
/// ended by `\n` so that the data starts at a multiple of 64 bytes, then the data in C order.
public enum NPY {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    static let alignment = 64

    /// numpy's spelling of each dtype. Single bytes have no byte order, hence `|`.
    static func descr(_ dtype: DType) -> String {
        switch dtype {
        case .f32: "<f4"
        case .u8: "|u1"
        case .i64: "<i8"
        }
    }

    /// The dtype for a descr, accepting the spellings numpy itself may write.
    static func dtype(forDescr descr: String) -> DType? {
        switch descr {
        case "<f4": .f32
        case "|u1", "<u1", ">u1", "u1": .u8
        case "<i8": .i64
        default: nil
        }
    }

    /// A version 1.0 file (version 2.0 only when the header outgrows 64 KiB, as numpy does).
    public static func encode(_ tensor: Tensor) -> [UInt8] {
        let shape = tensor.shape.count == 1 ? "(\(tensor.shape[0]),)"
            : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        let dict = Array("{'descr': '\(descr(tensor.dtype))', 'fortran_order': False, 'shape': \(shape), }".utf8)
        let v1 = dict.count + 1 + 10 <= Int(UInt16.max)
        let prefix = v1 ? 10 : 12
        let padding = (alignment - (prefix + dict.count + 1) % alignment) % alignment
        let headerLength = dict.count + padding + 1

        var bytes = magic + [v1 ? 1 : 2, 0]
        bytes.reserveCapacity(prefix + headerLength + tensor.bytes.count)
        if v1 {
            Bytes.appendUInt16LE(UInt16(headerLength), to: &bytes)
        } else {
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: headerLength >> shift)) }
        }
        bytes += dict
        bytes += repeatElement(UInt8(ascii: " "), count: padding)
        bytes.append(UInt8(ascii: "\n"))
        bytes += tensor.bytes
        return bytes
    }

    /// Parses and validates a `.npy` file; `name` is used in error messages.
    public static func parse(_ bytes: [UInt8], name: String) throws -> Tensor {
        func fail(_ problem: String) -> FormatError { FormatError(file: name, problem) }
        guard bytes.count >= 10 else { throw fail("truncated: \(bytes.count) bytes, too short for an .npy header") }
        guard Array(bytes[0..<6]) == magic else { throw fail("not an .npy file (bad magic string)") }
        let (major, minor) = (bytes[6], bytes[7])
        guard (1...3).contains(major), minor == 0 else { throw fail("unsupported .npy version \(major).\(minor)") }
        let lengthSize = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthSize else { throw fail("truncated inside the header length") }
        let headerLength = major == 1 ? Int(Bytes.uint16LE(bytes, at: 8)) : Int(Bytes.uint32LE(bytes, at: 8))
        let headerStart = 8 + lengthSize
        guard headerLength <= bytes.count - headerStart else {
            throw fail("truncated: header length is \(headerLength) bytes, but only \(bytes.count - headerStart) follow")
        }
        let dataStart = headerStart + headerLength

        let header: NPYHeader
        do {
            header = try NPYHeader(parsing: Array(bytes[headerStart..<dataStart]))
        } catch let error as NPYHeader.Failure {
            throw fail("bad header: \(error.message)")
        }
        guard !header.fortranOrder else { throw fail("Fortran-order arrays are not supported") }
        guard let dtype = dtype(forDescr: header.descr) else {
            let hint = header.descr.hasPrefix(">") ? " (big-endian data is not supported)" : ""
            throw fail("unsupported dtype '\(header.descr)'\(hint); supported: <f4, |u1, <i8")
        }
        guard let count = Sizes.product(header.shape), let size = Sizes.bytes(count: count, size: dtype.size) else {
            throw fail("shape \(header.shape) is too large")
        }
        let present = bytes.count - dataStart
        guard present == size else {
            let what = present < size ? "truncated" : "\(present - size) bytes of trailing data"
            throw fail("\(what): shape \(header.shape) of '\(header.descr)' needs \(size) bytes, file has \(present)")
        }
        return Tensor(validated: dtype, shape: header.shape, bytes: Array(bytes[dataStart...]))
    }

    public static func write(_ tensor: Tensor, to url: URL) throws {
        try AtomicFile.write(encode(tensor), to: url)
    }

    public static func read(from url: URL) throws -> Tensor {
        try parse(BinaryFile.read(url), name: url.lastPathComponent)
    }
}
