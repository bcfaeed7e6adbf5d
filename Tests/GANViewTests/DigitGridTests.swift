import XCTest
import GANView

final class DigitGridTests: XCTestCase {
    func testRampForKnownValues() {
        XCTAssertEqual(DigitGrid.rampGlyph(-1), " ")
        XCTAssertEqual(DigitGrid.rampGlyph(1), "@")
        XCTAssertEqual(DigitGrid.rampGlyph(0), "+")   // t = 0.5 → index 5 of 0…9
        XCTAssertEqual(DigitGrid.rampGlyph(-0.75), ".")
        XCTAssertEqual(DigitGrid.rampGlyph(0.95), "@")
        XCTAssertEqual(DigitGrid.rampGlyph(-5), " ")
        XCTAssertEqual(DigitGrid.rampGlyph(.nan), " ")
        let values: [Float] = (0..<10).map { -1 + 2 * (Float($0) + 0.5) / 10 }
        XCTAssertEqual(String(String.UnicodeScalarView(values.map(DigitGrid.rampGlyph))), " .:-=+*#%@")
        XCTAssertEqual(DigitGrid.greyLevel(-1), 0)
        XCTAssertEqual(DigitGrid.greyLevel(1), 23)
        XCTAssertEqual(DigitGrid.greyLevel(0), 12)
    }

    func testAreaAveragingInto14x7() {
        // Ink in the top-left 14×14 quadrant: each cell is 2×4 pixels, so cell row 3
        // (pixel rows 12–15) is half ink → 0 → '+'.
        let img = image { x, y in x < 14 && y < 14 }
        XCTAssertEqual(DigitGrid.asciiRows(img, width: 14, height: 7), [
            "@@@@@@@       ",
            "@@@@@@@       ",
            "@@@@@@@       ",
            "+++++++       ",
            "              ",
            "              ",
            "              ",
        ])
    }

    func testAreaAveragingWithFractionalCells() {
        // One ink column at x = 3; 28 → 8 columns is 3.5 pixels per cell, so cells 0 and 1 each
        // get half of it: (0.5·1 − 3·1) / 3.5 = −5/7.
        let img = image { x, _ in x == 3 }
        let small = DigitGrid.areaAverage(img, width: 28, height: 28, toWidth: 8, toHeight: 4)
        XCTAssertEqual(small.count, 32)
        XCTAssertEqual(small[0], -5.0 / 7, accuracy: 1e-5)
        XCTAssertEqual(small[1], -5.0 / 7, accuracy: 1e-5)
        XCTAssertEqual(small[2], -1, accuracy: 1e-6)
        // Mean is preserved.
        let mean = img.reduce(0, +) / 784
        XCTAssertEqual(small.reduce(0, +) / 32, mean, accuracy: 1e-5)
        // Identity size is exact.
        XCTAssertEqual(DigitGrid.areaAverage(img, width: 28, height: 28, toWidth: 28, toHeight: 28), img)
    }

    func testImageSizeKeepsAspect() {
        XCTAssertEqual(DigitGrid.imageSize(fittingWidth: 59, height: 30).width, 14)
        XCTAssertEqual(DigitGrid.imageSize(fittingWidth: 59, height: 30).height, 7)
        XCTAssertEqual(DigitGrid.imageSize(fittingWidth: 200, height: 19).height, 4)
        XCTAssertEqual(DigitGrid.imageSize(fittingWidth: 10, height: 40).height, 0)
        XCTAssertEqual(DigitGrid.panelWidth(forHeight: 32), 61)
    }

    func testAsciiGridRender() {
        let digits = Array(repeating: image { _, _ in true }, count: 16)
        var b = CellBuffer(width: 61, height: 32)
        DigitGrid.render(digits, halfBlocks: true, into: &b, rect: b.bounds, theme: Theme(mode: .basic8))
        let ink = glyphs(in: b, b.bounds).filter { $0 == "@" }.count
        XCTAssertEqual(ink, 16 * 14 * 7)
        XCTAssertTrue(b.row(0).contains("ascii"), "no 256 colours: falls back to ASCII")
    }

    func testHalfBlocksUseGreysForUpperAndLowerPixels() {
        // Top half ink, bottom half background, in a 14×7-cell image (14 pixel rows).
        let digits = [image { _, y in y < 14 }]
        var b = CellBuffer(width: 61, height: 32)
        DigitGrid.render(digits, halfBlocks: true, into: &b, rect: b.bounds, theme: Theme(mode: .palette256))
        XCTAssertTrue(b.row(0).contains("half-block"))
        // The first image starts at the top-left of the centred grid.
        let ox = 1 + (59 - (4 * 14 + 3)) / 2, oy = 1 + (30 - 28) / 2
        let top = b[ox, oy], bottom = b[ox, oy + 6], middle = b[ox + 5, oy + 3]
        XCTAssertEqual(top.glyph, "▀")
        XCTAssertEqual(top.fg, .palette(255))
        XCTAssertEqual(top.bg, .palette(255))
        XCTAssertEqual(bottom.fg, .palette(232))
        XCTAssertEqual(bottom.bg, .palette(232))
        XCTAssertEqual(middle.fg, .palette(255), "pixel row 6 is ink")
        XCTAssertEqual(middle.bg, .palette(232), "pixel row 7 is background")
        XCTAssertEqual(b[ox, oy + 7].glyph, " ", "no second row of images")
    }

    func testMalformedDigitsAreSkipped() {
        var b = CellBuffer(width: 40, height: 20)
        DigitGrid.render([[1, 2, 3], []], halfBlocks: false, into: &b, rect: b.bounds, theme: Theme(mode: .none))
        XCTAssertFalse(glyphs(in: b, b.bounds.inset(1)).contains { isRampInk($0) })
    }
}
