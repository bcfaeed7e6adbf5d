import XCTest
@testable import TensorBoardFormat

final class ImageDecodingTests: XCTestCase {
    /// Sample values that vary by pixel and channel, within `maxValue`.
    static func samples(_ w: Int, _ h: Int, channels: Int, maxValue: Int) -> [[UInt16]] {
        (0..<(w * h)).map { i in (0..<channels).map { c in UInt16((i * 37 + c * 101 + i / w * 13) % (maxValue + 1)) } }
    }

    /// What the decoder must return for 8-bit samples: alpha (the last channel when present) composited on black.
    static func expected(_ samples: [[UInt16]], alpha: Bool) -> [UInt8] {
        samples.flatMap { s -> [UInt8] in
            guard alpha else { return s.map { UInt8($0) } }
            let a = UInt32(s.last!)
            return s.dropLast().map { UInt8((UInt32($0) * a + 127) / 255) }
        }
    }

    func testEightBitColourTypesWithEveryFilterPlainAndInterlaced() throws {
        let cases: [(PNGBuilder.ColorType, Int, Bool)] = [(.gray, 1, false), (.rgb, 3, false), (.grayAlpha, 1, true), (.rgba, 3, true)]
        for interlaced in [false, true] {
            for (type, outChannels, alpha) in cases {
                let (w, h) = (13, 11)
                let png = PNGBuilder(width: w, height: h, colorType: type, bitDepth: 8, interlaced: interlaced,
                                     samples: Self.samples(w, h, channels: outChannels + (alpha ? 1 : 0), maxValue: 255))
                let image = try decodeImage(png.encode())
                XCTAssertEqual([image.width, image.height, image.channels], [w, h, outChannels], "\(type) interlaced \(interlaced)")
                XCTAssertEqual(image.pixels, Self.expected(png.samples, alpha: alpha), "\(type) interlaced \(interlaced)")
            }
        }
    }

    func testSixteenBitSamplesRoundToEightBits() throws {
        let (w, h) = (9, 7)
        for (type, channels) in [(PNGBuilder.ColorType.gray, 1), (.rgb, 3)] {
            let png = PNGBuilder(width: w, height: h, colorType: type, bitDepth: 16, interlaced: true,
                                 samples: Self.samples(w, h, channels: channels, maxValue: 65535).map { $0.map { $0 &* 97 } })
            let image = try decodeImage(png.encode())
            XCTAssertEqual(image.channels, channels)
            let want = png.samples.flatMap { $0.map { Int((UInt32($0) * 255 + 32767) / 65535) } }
            let worst = zip(image.pixels, want).map { abs(Int($0) - $1) }.max()!
            XCTAssertLessThanOrEqual(worst, 1, "\(type)")
        }
    }

    func testPalettesWithTransparencyAndLowBitDepths() throws {
        let (w, h) = (10, 5)
        let palette: [(UInt8, UInt8, UInt8)] = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (200, 100, 50)]
        let alphas: [UInt8] = [255, 128, 0]  // the fourth entry is opaque
        let png = PNGBuilder(width: w, height: h, colorType: .palette, bitDepth: 2,
                             samples: Self.samples(w, h, channels: 1, maxValue: 3), palette: palette, paletteAlpha: alphas)
        let image = try decodeImage(png.encode())
        XCTAssertEqual(image.channels, 3)
        let want = png.samples.flatMap { s -> [UInt8] in
            let (r, g, b) = palette[Int(s[0])]
            let a = UInt32(Int(s[0]) < alphas.count ? alphas[Int(s[0])] : 255)
            return [r, g, b].map { UInt8((UInt32($0) * a + 127) / 255) }
        }
        XCTAssertEqual(image.pixels, want)

        let gray = PNGBuilder(width: w, height: h, colorType: .gray, bitDepth: 1, interlaced: true,
                              samples: Self.samples(w, h, channels: 1, maxValue: 1))
        XCTAssertEqual(try decodeImage(gray.encode()).pixels, gray.samples.map { $0[0] == 1 ? 255 : 0 })
    }

    func testBrokenPNGsAreOneLineErrors() throws {
        XCTAssertThrowsError(try decodeImage([1, 2, 3])) { XCTAssertTrue("\($0)".hasPrefix("cannot decode image: "), "\($0)") }
        let good = PNGBuilder(width: 4, height: 4, colorType: .gray, bitDepth: 8, samples: Self.samples(4, 4, channels: 1, maxValue: 255)).encode()
        XCTAssertThrowsError(try decodeImage(Array(good.prefix(good.count - 30)))) { XCTAssertFalse("\($0)".contains("\n")) }
        // Random damage anywhere: an error or an image, never a crash.
        for i in stride(from: 8, to: good.count, by: 3) {
            var bad = good
            bad[i] ^= 0x5A
            _ = try? decodeImage(bad)
        }
    }

    func testGantopsOwnPNGsDecode() throws {
        let grid = PNGImageFixture.gradient(width: 17, height: 9)
        let image = try decodeImage(grid.encode())
        XCTAssertEqual(image, RGBImage(width: 17, height: 9, channels: 1, pixels: grid.pixels))
    }
}

extension ImageDecodingTests {
    func testSixteenBitAlphaIsCompositedOnBlack() throws {
        let (w, h) = (6, 5)
        let samples = Self.samples(w, h, channels: 4, maxValue: 65535).map { $0.map { $0 &* 131 } }
        let png = PNGBuilder(width: w, height: h, colorType: .rgba, bitDepth: 16, samples: samples)
        let image = try decodeImage(png.encode())
        let want: [Int] = samples.flatMap { s -> [Int] in
            let alpha = Double(s[3]) / 65535
            return s.dropLast().map { (Double($0) / 65535 * alpha * 255).rounded() }.map { Int($0) }
        }
        let worst = zip(image.pixels, want).map { abs(Int($0) - $1) }.max()!
        XCTAssertLessThanOrEqual(worst, 1)
    }
}
