extension PNGImage {
    /// Decodes an 8-bit grayscale or RGB, non-interlaced PNG; `name` is used in error messages.
    ///
    /// Strict on purpose (CRCs checked, chunk order enforced, no bytes after IEND): it exists
    /// to check gantop's own output, where any deviation is a bug worth hearing about.
    public static func parse(_ bytes: [UInt8], name: String) throws -> PNGImage {
        func fail(_ problem: String) -> FormatError { FormatError(file: name, problem) }
        guard bytes.starts(with: PNG.signature) else { throw fail("not a PNG file (bad signature)") }
        var position = PNG.signature.count
        var header: Header?
        var idat: [UInt8] = []
        var sawIDAT = false
        while true {
            guard bytes.count - position >= 12 else {
                throw fail("truncated: chunk at byte \(position) is cut off (no IEND chunk)")
            }
            let length = Int(Bytes.uint32BE(bytes, at: position))
            let typeBytes = Array(bytes[(position + 4)..<(position + 8)])
            let type = String(decoding: typeBytes, as: UTF8.self)
            guard typeBytes.allSatisfy({ (0x41...0x5a).contains($0) || (0x61...0x7a).contains($0) }) else {
                throw fail("invalid chunk type at byte \(position + 4)")
            }
            guard length <= PNG.maxSide, length <= bytes.count - position - 12 else {
                throw fail("truncated: chunk \(type) claims \(length) bytes, only \(bytes.count - position - 12) remain")
            }
            let dataStart = position + 8
            let stored = Bytes.uint32BE(bytes, at: dataStart + length)
            var crc = CRC32()
            bytes.withUnsafeBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[(position + 4)..<(dataStart + length)])) }
            guard crc.value == stored else {
                throw fail("chunk \(type) at byte \(position) has a bad CRC (stored \(hex(stored)), computed \(hex(crc.value)))")
            }
            let data = bytes[dataStart..<(dataStart + length)]
            position = dataStart + length + 4

            if header == nil, type != "IHDR" { throw fail("the first chunk is \(type), expected IHDR") }
            switch type {
            case "IHDR":
                guard header == nil else { throw fail("more than one IHDR chunk") }
                header = try Header(Array(data), fail: fail)
            case "IDAT":
                idat += data
                sawIDAT = true
            case "IEND":
                guard position == bytes.count else { throw fail("\(bytes.count - position) bytes of trailing data after IEND") }
                guard sawIDAT, let header else { throw fail("no IDAT chunk") }
                return try header.decode(idat, fail: fail)
            case "PLTE":
                continue  // only a suggested palette for the colour types we accept
            default:
                guard typeBytes[0] >= 0x61 else { throw fail("unsupported critical chunk \(type)") }
            }
        }
    }

    private static func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }

    private struct Header {
        var width: Int
        var height: Int
        var colorType: ColorType

        init(_ d: [UInt8], fail: (String) -> FormatError) throws {
            guard d.count == 13 else { throw fail("IHDR has \(d.count) bytes, expected 13") }
            width = Int(Bytes.uint32BE(d, at: 0))
            height = Int(Bytes.uint32BE(d, at: 4))
            guard (1...PNG.maxSide).contains(width), (1...PNG.maxSide).contains(height) else {
                throw fail("invalid image size \(width)×\(height)")
            }
            guard d[8] == 8 else { throw fail("bit depth \(d[8]) is not supported (only 8)") }
            guard let type = ColorType(rawValue: d[9]) else {
                throw fail("colour type \(d[9]) is not supported (only 0, grayscale, and 2, RGB)")
            }
            colorType = type
            guard d[10] == 0, d[11] == 0 else { throw fail("unknown compression or filter method") }
            guard d[12] == 0 else { throw fail("interlaced images are not supported") }
        }

        func decode(_ idat: [UInt8], fail: (String) -> FormatError) throws -> PNGImage {
            let rowBytes = Sizes.bytes(count: width, size: colorType.channels)
            guard let rowBytes, let raw = Sizes.bytes(count: rowBytes + 1, size: height), raw <= PNG.maxRawBytes else {
                throw fail("image of \(width)×\(height) pixels is too large to decode")
            }
            let data: [UInt8]
            do {
                data = try Zlib.decompress(idat, limit: raw, sizeHint: raw)
            } catch let error as FormatError {
                throw fail("IDAT: \(error.problem)")
            }
            guard data.count == raw else {
                throw fail("IDAT: image data is \(data.count) bytes, \(width)×\(height) needs \(raw)")
            }
            do {
                let pixels = try PNGFilter.unfilter(data, rowBytes: rowBytes, height: height, bytesPerPixel: colorType.channels)
                return PNGImage(width: width, height: height, colorType: colorType, pixels: pixels)
            } catch let error as PNGFilterError {
                throw fail("row \(error.row) has unknown filter type \(error.type)")
            }
        }
    }
}
