import Foundation

/// An IDX file of unsigned bytes, the format of the MNIST images and labels.
///
/// Layout: a big-endian u32 magic `00 00 08 nd` (0x08 = unsigned byte, `nd` = number of
/// dimensions), `nd` big-endian u32 dimensions, then the elements in C order. MNIST images are
/// 0x00000803 (count×28×28) and labels 0x00000801 (count).
public struct IDXFile: Equatable, Sendable {
    public var dims: [Int]
    public var data: [UInt8]

    /// The only element type supported: the one MNIST uses.
    public static let unsignedByteType: UInt8 = 0x08
    /// Anything larger is not an MNIST-like file, and refusing it early avoids a huge allocation.
    public static let maxElementCount = 1 << 31
    public static let maxDimensionCount = 8

    public init(dims: [Int], data: [UInt8]) {
        precondition(!dims.isEmpty && dims.count <= Self.maxDimensionCount, "IDX needs 1...8 dimensions")
        precondition(dims.allSatisfy { $0 > 0 && $0 <= UInt32.max }, "IDX dimensions must be 1...2^32-1")
        precondition(Sizes.product(dims) == data.count, "IDX data count must match the dimensions")
        self.dims = dims
        self.data = data
    }

    /// The file's bytes: header then data.
    public func encode() -> [UInt8] {
        var bytes: [UInt8] = [0, 0, Self.unsignedByteType, UInt8(dims.count)]
        bytes.reserveCapacity(4 + 4 * dims.count + data.count)
        for d in dims { Bytes.appendUInt32BE(UInt32(d), to: &bytes) }
        bytes += data
        return bytes
    }

    /// Parses and validates an uncompressed IDX file; `name` is used in error messages.
    public static func parse(_ bytes: [UInt8], name: String) throws -> IDXFile {
        func fail(_ problem: String) -> FormatError { FormatError(file: name, problem) }
        guard bytes.count >= 4 else {
            throw fail("truncated: \(bytes.count) bytes, too short for the 4-byte IDX magic number")
        }
        let magic = String(Bytes.uint32BE(bytes, at: 0), radix: 16)
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw fail("not an IDX file: magic number 0x\(magic) does not start with two zero bytes")
        }
        guard bytes[2] == unsignedByteType else {
            throw fail("unsupported IDX element type 0x\(String(bytes[2], radix: 16)) (only 0x08, unsigned byte, is supported)")
        }
        let rank = Int(bytes[3])
        guard (1...maxDimensionCount).contains(rank) else {
            throw fail("IDX magic 0x\(magic) declares \(rank) dimensions (expected 1 to \(maxDimensionCount))")
        }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw fail("truncated: the header needs \(headerSize) bytes for \(rank) dimensions, file has \(bytes.count)")
        }
        let dims = (0..<rank).map { Int(Bytes.uint32BE(bytes, at: 4 + 4 * $0)) }
        if let zero = dims.firstIndex(of: 0) {
            throw fail("dimension \(zero + 1) of \(Sizes.describe(dims)) is zero")
        }
        guard let count = Sizes.product(dims), count <= maxElementCount else {
            throw fail("header says \(Sizes.describe(dims)) elements, more than the limit of \(maxElementCount)")
        }
        let present = bytes.count - headerSize
        guard present == count else {
            let what = present < count ? "truncated" : "\(present - count) bytes of trailing data"
            throw fail("\(what): header says \(Sizes.describe(dims)) = \(count) bytes of data, file has \(present)")
        }
        return IDXFile(dims: dims, data: Array(bytes[headerSize...]))
    }

    /// Reads a gzip-compressed IDX file such as `train-images-idx3-ubyte.gz`.
    public static func read(gzipFile url: URL) throws -> IDXFile {
        try parse(gzipped: BinaryFile.read(url), name: url.lastPathComponent)
    }

    /// Decompresses and parses the bytes of a gzip'd IDX file.
    public static func parse(gzipped compressed: [UInt8], name: String) throws -> IDXFile {
        guard !compressed.isEmpty else { throw FormatError(file: name, "the file is empty") }
        guard Gzip.looksLikeGzip(compressed) else {
            let start = compressed.prefix(4).map { String($0, radix: 16) }.joined(separator: " ")
            throw FormatError(file: name, "not a gzip file (it starts with bytes \(start); already decompressed?)")
        }
        let bytes: [UInt8]
        do {
            bytes = try Gzip.decompress(compressed)
        } catch let error as FormatError {
            throw FormatError(file: name, "gzip: \(error.problem)")
        }
        return try parse(bytes, name: name)
    }

    /// Reads an IDX file, decompressing it first if it is gzip'd (whatever its name says).
    public static func read(from url: URL) throws -> IDXFile {
        let bytes = try BinaryFile.read(url)
        let name = url.lastPathComponent
        return Gzip.looksLikeGzip(bytes) ? try parse(gzipped: bytes, name: name) : try parse(bytes, name: name)
    }
}
