import Foundation

/// An 8-bit grayscale or RGB image, and its PNG encoding.
///
/// PNG because every viewer opens it and it is lossless, so generated digits can be compared
/// pixel for pixel. Only what gantop writes is supported: 8 bits per channel, no alpha, no
/// palette, no interlacing.
public struct PNGImage: Equatable, Sendable {
    public enum ColorType: UInt8, Sendable {
        case gray = 0
        case rgb = 2

        public var channels: Int { self == .gray ? 1 : 3 }
    }

    public let width: Int
    public let height: Int
    public let colorType: ColorType
    /// Rows top to bottom, channels interleaved (RGBRGB…), `width * height * channels` bytes.
    public let pixels: [UInt8]

    public init(width: Int, height: Int, colorType: ColorType, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && width <= PNG.maxSide && height <= PNG.maxSide, "PNG sides must be 1...2^31-1")
        precondition(Sizes.product([width, height, colorType.channels]) == pixels.count, "PNGImage: pixel count does not match the size")
        self.width = width
        self.height = height
        self.colorType = colorType
        self.pixels = pixels
    }

    /// The PNG file's bytes: signature, IHDR, one IDAT, IEND.
    public func encode(compressionLevel: Int = 6) -> [UInt8] {
        var ihdr: [UInt8] = []
        Bytes.appendUInt32BE(UInt32(width), to: &ihdr)
        Bytes.appendUInt32BE(UInt32(height), to: &ihdr)
        ihdr += [8, colorType.rawValue, 0, 0, 0]  // bit depth, colour type, deflate, adaptive filtering, no interlace
        let filtered = PNGFilter.filter(pixels, rowBytes: width * colorType.channels, bytesPerPixel: colorType.channels)

        var bytes = PNG.signature
        PNG.appendChunk("IHDR", ihdr, to: &bytes)
        PNG.appendChunk("IDAT", Zlib.compress(filtered, level: compressionLevel), to: &bytes)
        PNG.appendChunk("IEND", [], to: &bytes)
        return bytes
    }

    public func write(to url: URL) throws {
        try AtomicFile.write(encode(), to: url)
    }

    public static func read(from url: URL) throws -> PNGImage {
        try parse(BinaryFile.read(url), name: url.lastPathComponent)
    }
}

/// Constants and chunk framing shared by the encoder and the decoder.
enum PNG {
    static let signature: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
    /// The format's limit for width, height and chunk length.
    static let maxSide = Int(Int32.max)
    /// Decoded images larger than this are refused rather than allocated.
    static let maxRawBytes = 1 << 30

    /// Length, type, data, then the CRC of type and data.
    static func appendChunk(_ type: String, _ data: [UInt8], to bytes: inout [UInt8]) {
        Bytes.appendUInt32BE(UInt32(data.count), to: &bytes)
        let typeAndData = Array(type.utf8) + data
        bytes += typeAndData
        Bytes.appendUInt32BE(CRC32.checksum(typeAndData), to: &bytes)
    }
}
