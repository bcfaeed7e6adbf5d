import XCTest
@testable import GANFormats

final class PNGTests: XCTestCase {
    static func gradient(_ width: Int, _ height: Int, _ type: PNGImage.ColorType) -> PNGImage {
        let pixels = (0..<(width * height * type.channels)).map { i -> UInt8 in
            let x = (i / type.channels) % width, y = i / type.channels / width
            return UInt8(truncatingIfNeeded: x * 9 + y * 5 + (i % type.channels) * 80)
        }
        return PNGImage(width: width, height: height, colorType: type, pixels: pixels)
    }

    /// A PNG assembled by hand, so tests can break any part of it.
    static func assemble(width: UInt32, height: UInt32, depth: UInt8 = 8, type: UInt8 = 0, interlace: UInt8 = 0,
                         raw: [UInt8], extra: [(String, [UInt8])] = []) -> [UInt8] {
        var ihdr: [UInt8] = []
        Bytes.appendUInt32BE(width, to: &ihdr)
        Bytes.appendUInt32BE(height, to: &ihdr)
        ihdr += [depth, type, 0, 0, interlace]
        var bytes = PNG.signature
        PNG.appendChunk("IHDR", ihdr, to: &bytes)
        for (name, data) in extra { PNG.appendChunk(name, data, to: &bytes) }
        PNG.appendChunk("IDAT", Zlib.compress(raw), to: &bytes)
        PNG.appendChunk("IEND", [], to: &bytes)
        return bytes
    }

    func testRoundTrips() throws {
        var random = SeededRandom(seed: 7)
        let images = [
            PNGImage(width: 1, height: 1, colorType: .gray, pixels: [200]),
            Self.gradient(28, 28, .gray),
            Self.gradient(37, 13, .rgb),
            PNGImage(width: 19, height: 11, colorType: .rgb, pixels: random.bytes(19 * 11 * 3)),
            PNGImage(width: 64, height: 3, colorType: .gray, pixels: random.bytes(64 * 3)),
        ]
        for image in images {
            let bytes = image.encode()
            XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
            XCTAssertEqual(String(decoding: bytes[12..<16], as: UTF8.self), "IHDR")
            XCTAssertEqual(Array(bytes.suffix(12)), [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82], "standard IEND")
            XCTAssertEqual(try PNGImage.parse(bytes, name: "i.png"), image)
        }
    }

    func testAdaptiveFilteringCompressesGradients() {
        let image = Self.gradient(200, 200, .gray)
        let none = (0..<200).flatMap { y in [0] + image.pixels[(y * 200)..<((y + 1) * 200)] }
        XCTAssertLessThan(image.encode().count, Zlib.compress(none).count / 2, "filters beat filter type 0 on a gradient")
    }

    func testDecodesEveryFilterType() throws {
        let image = Self.gradient(9, 6, .rgb)
        let rowBytes = 27
        for filter in 0..<5 {
            var raw: [UInt8] = []
            for y in 0..<6 {
                raw.append(UInt8(filter))
                for i in 0..<rowBytes {
                    let a = i >= 3 ? image.pixels[y * rowBytes + i - 3] : 0
                    let b = y > 0 ? image.pixels[(y - 1) * rowBytes + i] : 0
                    let c = i >= 3 && y > 0 ? image.pixels[(y - 1) * rowBytes + i - 3] : 0
                    raw.append(image.pixels[y * rowBytes + i] &- PNGFilter.predictor(filter, a: a, b: b, c: c))
                }
            }
            let bytes = Self.assemble(width: 9, height: 6, type: 2, raw: raw, extra: [("tEXt", Array("Comment\0hi".utf8))])
            XCTAssertEqual(try PNGImage.parse(bytes, name: "f\(filter)"), image, "filter \(filter)")
        }
    }

    func testFileRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let image = Self.gradient(28, 28, .gray)
        try image.write(to: dir.file("sample.png"))
        XCTAssertEqual(try PNGImage.read(from: dir.file("sample.png")), image)
    }

    func testInvalidFilesAreErrors() {
        let raw2x2 = [0, 1, 2, 0, 3, 4] as [UInt8]
        let good = Self.assemble(width: 2, height: 2, raw: raw2x2)
        XCTAssertNoThrow(try PNGImage.parse(good, name: "g"))
        assertFormatError(try PNGImage.parse(Array("GIF89a".utf8), name: "p"), "p: not a PNG file")
        var badCRC = good
        badCRC[45] ^= 1  // inside the IDAT data
        assertFormatError(try PNGImage.parse(badCRC, name: "p"), "chunk IDAT at byte 33 has a bad CRC")
        assertFormatError(try PNGImage.parse(good + [0], name: "p"), "1 bytes of trailing data after IEND")
        assertFormatError(try PNGImage.parse(Array(good.dropLast(12)), name: "p"), "no IEND chunk")
        assertFormatError(try PNGImage.parse(Self.assemble(width: 2, height: 2, depth: 16, raw: raw2x2), name: "p"), "bit depth 16")
        assertFormatError(try PNGImage.parse(Self.assemble(width: 2, height: 2, type: 3, raw: raw2x2), name: "p"), "colour type 3")
        assertFormatError(try PNGImage.parse(Self.assemble(width: 2, height: 2, interlace: 1, raw: raw2x2), name: "p"), "interlaced")
        assertFormatError(try PNGImage.parse(Self.assemble(width: 0, height: 2, raw: raw2x2), name: "p"), "invalid image size 0×2")
        assertFormatError(try PNGImage.parse(Self.assemble(width: 2, height: 2, raw: [0, 1, 2]), name: "p"), "image data is 3 bytes, 2×2 needs 6")
        assertFormatError(try PNGImage.parse(Self.assemble(width: 2, height: 2, raw: raw2x2 + [9]), name: "p"), "longer than the expected 6")
        assertFormatError(try PNGImage.parse(Self.assemble(width: 2, height: 2, raw: [0, 1, 2, 7, 3, 4]), name: "p"), "row 1 has unknown filter type 7")
        assertFormatError(try PNGImage.parse(Self.assemble(width: 2, height: 2, raw: raw2x2, extra: [("ZZZZ", [])]), name: "p"), "unsupported critical chunk ZZZZ")
        assertFormatError(try PNGImage.parse(Self.assemble(width: 0x7fff_ffff, height: 0x7fff_ffff, raw: raw2x2), name: "p"), "too large to decode")
        var noIDAT = PNG.signature
        PNG.appendChunk("IHDR", Array(good[16..<29]), to: &noIDAT)
        PNG.appendChunk("IEND", [], to: &noIDAT)
        assertFormatError(try PNGImage.parse(noIDAT, name: "p"), "no IDAT chunk")
        var idatFirst = PNG.signature
        PNG.appendChunk("IDAT", [], to: &idatFirst)
        assertFormatError(try PNGImage.parse(idatFirst, name: "p"), "the first chunk is IDAT, expected IHDR")
        for length in 0..<good.count {
            XCTAssertThrowsError(try PNGImage.parse(Array(good.prefix(length)), name: "p"), "prefix \(length)")
        }
    }
}
