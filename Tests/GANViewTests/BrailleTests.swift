import XCTest
import GANView

final class BrailleTests: XCTestCase {
    func testSingleDotsGiveTheDocumentedBits() {
        let expected: [(Int, Int, UInt32)] = [(0, 0, 0x01), (0, 1, 0x02), (0, 2, 0x04), (0, 3, 0x40),
                                              (1, 0, 0x08), (1, 1, 0x10), (1, 2, 0x20), (1, 3, 0x80)]
        for (x, y, bit) in expected {
            var c = BrailleCanvas(width: 1, height: 1)
            c.set(x: x, y: y)
            XCTAssertEqual(c.glyph(column: 0, row: 0), Unicode.Scalar(0x2800 + bit), "dot \(x),\(y)")
        }
    }

    func testKnownDotSetsGiveExactCharacters() {
        var full = BrailleCanvas(width: 1, height: 1)
        for x in 0..<2 { for y in 0..<4 { full.set(x: x, y: y) } }
        XCTAssertEqual(full.rows(), ["⣿"])

        var c = BrailleCanvas(width: 3, height: 1)
        c.set(x: 0, y: 0); c.set(x: 1, y: 3)             // ⢁
        for y in 0..<4 { c.set(x: 2, y: y) }              // ⡇ left column
        XCTAssertEqual(c.rows(), ["⢁⡇ "])
        XCTAssertNil(c.glyph(column: 2, row: 0))
        XCTAssertEqual(BrailleCanvas.glyph(0), "⠀")
        XCTAssertEqual(BrailleCanvas.glyph(0xFF), "⣿")
    }

    func testDiagonalLine() {
        var c = BrailleCanvas(width: 4, height: 2)
        c.line(0, 0, 7, 7)
        XCTAssertEqual(c.rows(), ["⠑⢄  ", "  ⠑⢄"])
        var back = BrailleCanvas(width: 4, height: 2)
        back.line(7, 7, 0, 0)
        XCTAssertEqual(back.rows(), c.rows(), "direction must not matter")
    }

    func testShallowAndSteepLinesAreConnected() {
        var c = BrailleCanvas(width: 8, height: 1)
        c.line(0, 0, 15, 3)
        for x in 0..<16 { XCTAssertTrue((0..<4).contains { c.isSet(x: x, y: $0) }, "column \(x) empty") }
        var s = BrailleCanvas(width: 1, height: 4)
        s.line(0, 0, 1, 15)
        for y in 0..<16 { XCTAssertTrue(s.isSet(x: 0, y: y) || s.isSet(x: 1, y: y), "row \(y) empty") }
    }

    func testHorizontalLineAndClipping() {
        var c = BrailleCanvas(width: 2, height: 1)
        c.line(-5, 3, 10, 3)
        XCTAssertEqual(c.rows(), ["⣀⣀"])
        c.set(x: 99, y: 99) // ignored
        XCTAssertEqual(c.rows(), ["⣀⣀"])
    }

    func testDashedPolylineSkipsDots() {
        var c = BrailleCanvas(width: 4, height: 1)
        c.polyline([(0, 0), (7, 0)], dash: DashPattern(on: 2, off: 2))
        XCTAssertEqual(c.rows(), ["⠉ ⠉ "])
    }

    func testPolylineBreaksAtNil() {
        var c = BrailleCanvas(width: 4, height: 1)
        c.polyline([(0, 3), (1, 3), nil, (6, 0), (7, 0)])
        XCTAssertEqual(c.rows(), ["⣀  ⠉"])
    }

    func testLayersAreRecordedPerCell() {
        var c = BrailleCanvas(width: 2, height: 1)
        c.set(x: 0, y: 0, layer: 0)
        c.set(x: 1, y: 1, layer: 1)
        c.set(x: 2, y: 0, layer: 1)
        XCTAssertEqual(c.layers(column: 0, row: 0), 0b11)
        XCTAssertEqual(c.layers(column: 1, row: 0), 0b10)
        var seen = 0
        c.forEachCell { _, _, _, _ in seen += 1 }
        XCTAssertEqual(seen, 2)
    }
}
