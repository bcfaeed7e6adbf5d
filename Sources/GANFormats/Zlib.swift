import CZlib

/// gzip files, such as the MNIST downloads.
public enum Gzip {
    /// Decompresses gzip data (zlib data is accepted too: windowBits 15+32 lets zlib detect which).
    ///
    /// Concatenated gzip members are joined, as `gzip -d` does, and trailing zero padding is
    /// ignored. The output is pre-sized from the gzip trailer's ISIZE so that the 47 MB MNIST file
    /// needs no regrowth, but that hint is capped: a hostile ISIZE must not make us allocate 4 GB.
    public static func decompress(_ data: [UInt8]) throws -> [UInt8] {
        try Inflater.inflate(data, windowBits: 15 + 32, sizeHint: sizeHint(data), limit: .max, concatenatedMembers: true)
    }

    /// Compresses into the gzip format (with a zero timestamp, so output is reproducible).
    public static func compress(_ data: [UInt8], level: Int = 6) -> [UInt8] {
        Deflater.deflate(data, level: level, windowBits: 15 + 16)
    }

    /// True when `data` starts with the gzip magic bytes.
    public static func looksLikeGzip(_ data: [UInt8]) -> Bool {
        data.count >= 2 && data[0] == 0x1f && data[1] == 0x8b
    }

    /// ISIZE (the uncompressed length mod 2^32, little-endian in the last four bytes), capped.
    static func sizeHint(_ data: [UInt8]) -> Int {
        let fallback = min(max(data.count, 1 << 16) * 4, 1 << 26)
        guard looksLikeGzip(data), data.count >= 18 else { return fallback }
        let isize = Int(Bytes.uint32LE(data, at: data.count - 4))
        return isize == 0 ? fallback : min(isize, Inflater.maxHint)
    }
}

/// The zlib format (RFC 1950), which PNG's IDAT chunks use.
public enum Zlib {
    /// Compresses `data`; `level` runs from 0 (store) to 9 (smallest), -1 is zlib's default.
    public static func compress(_ data: [UInt8], level: Int = 6) -> [UInt8] {
        Deflater.deflate(data, level: level, windowBits: 15)
    }

    /// Decompresses zlib data. Throws if the output would exceed `limit` bytes, which lets a
    /// caller that knows the expected size refuse a decompression bomb early.
    public static func decompress(_ data: [UInt8], limit: Int = .max, sizeHint: Int = 0) throws -> [UInt8] {
        try Inflater.inflate(data, windowBits: 15, sizeHint: sizeHint, limit: limit, concatenatedMembers: false)
    }
}

/// CRC-32 (the one in gzip and PNG), computed by zlib.
public struct CRC32: Sendable {
    public private(set) var value: UInt32 = 0

    public init() {}

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard var p = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return }
        var remaining = buffer.count
        var crc = UInt(value)
        while remaining > 0 {  // zlib takes a 32-bit length
            let n = min(remaining, 1 << 30)
            crc = crc32(crc, p, uInt(n))
            p += n
            remaining -= n
        }
        value = UInt32(truncatingIfNeeded: crc)
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}

/// A heap-allocated z_stream: zlib keeps a back pointer to it, so it must never move.
private final class ZStream {
    let pointer = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    init() { pointer.initialize(to: z_stream()) }
    deinit { pointer.deinitialize(count: 1); pointer.deallocate() }

    var message: String {
        guard let msg = pointer.pointee.msg else { return "unknown error" }
        return String(cString: msg)
    }
}

enum Inflater {
    /// No output buffer is pre-sized beyond this; larger outputs grow by doubling as data arrives.
    static let maxHint = 1 << 28
    /// Deflate cannot expand more than about 1032:1, so no honest stream needs more than this.
    static func boundedHint(_ hint: Int, inputCount: Int, limit: Int) -> Int {
        let ratioBound = inputCount.multipliedReportingOverflow(by: 1032)
        let bound = ratioBound.overflow ? Int.max : ratioBound.partialValue + 64
        return max(1, min(limit, max(1024, min(hint, bound, maxHint))))
    }

    static func inflate(_ input: [UInt8], windowBits: Int32, sizeHint: Int, limit: Int,
                        concatenatedMembers: Bool) throws -> [UInt8] {
        let z = ZStream()
        guard czlib_inflate_init2(z.pointer, windowBits) == Z_OK else {
            throw FormatError(file: "", "cannot start decompression: \(z.message)")
        }
        defer { inflateEnd(z.pointer) }
        var output = [UInt8](repeating: 0, count: boundedHint(sizeHint, inputCount: input.count, limit: limit))
        var produced = 0
        var consumed = 0  // bytes handed to zlib so far
        try input.withUnsafeBufferPointer { inBuf in
            while true {
                if z.pointer.pointee.avail_in == 0, consumed < inBuf.count {
                    let n = min(inBuf.count - consumed, 1 << 30)
                    z.pointer.pointee.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress! + consumed)
                    z.pointer.pointee.avail_in = uInt(n)
                    consumed += n
                }
                if produced == output.count {
                    guard output.count < limit else {
                        throw FormatError(file: "", "decompressed data is longer than the expected \(limit) bytes")
                    }
                    let grown = min(limit, max(output.count, 1 << 16).multipliedReportingOverflow(by: 2).partialValue)
                    output.append(contentsOf: repeatElement(0, count: max(grown, output.count + 1) - output.count))
                }
                let status = output.withUnsafeMutableBufferPointer { out -> Int32 in
                    let room = min(out.count - produced, 1 << 30)
                    z.pointer.pointee.next_out = out.baseAddress! + produced
                    z.pointer.pointee.avail_out = uInt(room)
                    let result = CZlib.inflate(z.pointer, Z_NO_FLUSH)
                    produced += room - Int(z.pointer.pointee.avail_out)
                    return result
                }
                let inputLeft = consumed - Int(z.pointer.pointee.avail_in)  // index of first unread byte
                switch status {
                case Z_OK:
                    continue
                case Z_STREAM_END:
                    if inputLeft == inBuf.count { return }
                    if concatenatedMembers, inBuf.count - inputLeft >= 2, inBuf[inputLeft] == 0x1f, inBuf[inputLeft + 1] == 0x8b {
                        inflateReset(z.pointer)
                        continue
                    }
                    if concatenatedMembers, inBuf[inputLeft...].allSatisfy({ $0 == 0 }) { return }
                    throw FormatError(file: "", "\(inBuf.count - inputLeft) bytes of trailing data after the compressed stream")
                case Z_BUF_ERROR where inputLeft == inBuf.count && produced < output.count:
                    throw FormatError(file: "", "truncated compressed data (the stream ends early)")
                case Z_BUF_ERROR:
                    continue
                case Z_NEED_DICT:
                    throw FormatError(file: "", "corrupt compressed data: needs a preset dictionary")
                case Z_MEM_ERROR:
                    throw FormatError(file: "", "out of memory while decompressing")
                default:
                    throw FormatError(file: "", "corrupt compressed data: \(z.message)")
                }
            }
        }
        guard produced <= limit else {
            throw FormatError(file: "", "decompressed data is longer than the expected \(limit) bytes")
        }
        output.removeSubrange(produced...)
        return output
    }
}

enum Deflater {
    static func deflate(_ input: [UInt8], level: Int, windowBits: Int32) -> [UInt8] {
        let z = ZStream()
        let status = czlib_deflate_init2(z.pointer, Int32(min(max(level, -1), 9)), windowBits)
        precondition(status == Z_OK, "deflateInit2 failed: \(z.message)")  // only on out-of-memory
        defer { deflateEnd(z.pointer) }
        let bound = Int(deflateBound(z.pointer, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: max(bound, 64))
        var produced = 0
        var consumed = 0
        input.withUnsafeBufferPointer { inBuf in
            while true {
                if z.pointer.pointee.avail_in == 0, consumed < inBuf.count {
                    let n = min(inBuf.count - consumed, 1 << 30)
                    z.pointer.pointee.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress! + consumed)
                    z.pointer.pointee.avail_in = uInt(n)
                    consumed += n
                }
                if produced == output.count { output.append(contentsOf: repeatElement(0, count: output.count)) }
                let flush = consumed == inBuf.count ? Z_FINISH : Z_NO_FLUSH
                let result = output.withUnsafeMutableBufferPointer { out -> Int32 in
                    let room = min(out.count - produced, 1 << 30)
                    z.pointer.pointee.next_out = out.baseAddress! + produced
                    z.pointer.pointee.avail_out = uInt(room)
                    let r = CZlib.deflate(z.pointer, flush)
                    produced += room - Int(z.pointer.pointee.avail_out)
                    return r
                }
                if result == Z_STREAM_END { return }
                precondition(result == Z_OK || result == Z_BUF_ERROR, "deflate failed: \(z.message)")
            }
        }
        output.removeSubrange(produced...)
        return output
    }
}
