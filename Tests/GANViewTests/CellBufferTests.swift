import XCTest
import GANView

final class CellBufferTests: XCTestCase {
    func testPutClipsAtBothEdgesAndMaxX() {
        var b = CellBuffer(width: 4, height: 2)
        XCTAssertEqual(b.put("hello", x: -2, y: 0), 3)
        XCTAssertEqual(b.row(0), "llo ")
        b.put("abcdef", x: 1, y: 1, maxX: 3)
        XCTAssertEqual(b.row(1), " ab ")
        b.put("zz", x: 0, y: 5) // off screen: ignored
        b.put("a\tb", x: 0, y: 1)
        XCTAssertEqual(b.row(1), "a b ")
    }

    func testSubscriptOutsideIsSafe() {
        var b = CellBuffer(width: 2, height: 2)
        b[5, 5] = Cell("x")
        XCTAssertEqual(b[-1, 0], .blank)
        XCTAssertEqual(b.text(), "  \n  ")
    }

    func testFillAndTextTrimming() {
        var b = CellBuffer(width: 5, height: 3)
        b.fill(Rect(x: 1, y: 1, width: 10, height: 1), with: Cell("#"))
        b.put("ab", x: 0, y: 0)
        XCTAssertEqual(b.text(), "ab   \n ####\n     ")
        XCTAssertEqual(b.text(trimmingTrailingSpaces: true), "ab\n ####\n")
    }

    func testDiffReturnsOnlyChangedCellsInRowMajorOrder() {
        var a = CellBuffer(width: 10, height: 4)
        a.put("unchanged", x: 0, y: 0)
        var b = a
        b[3, 2] = Cell("x")
        b[1, 1] = Cell("y", fg: .red)
        b[0, 0] = Cell("u", attributes: .bold) // same glyph, new style: still a change
        let changes = b.changes(from: a)
        XCTAssertEqual(changes, [CellChange(x: 0, y: 0, cell: Cell("u", attributes: .bold)),
                                 CellChange(x: 1, y: 1, cell: Cell("y", fg: .red)),
                                 CellChange(x: 3, y: 2, cell: Cell("x"))])
        XCTAssertTrue(a.changes(from: a).isEmpty)
    }

    func testDiffAfterResizeReportsEverything() {
        let small = CellBuffer(width: 3, height: 2)
        var big = CellBuffer(width: 4, height: 2)
        XCTAssertEqual(big.changes(from: small).count, 8)
        big.resize(width: 2, height: 3)
        XCTAssertEqual(big.width, 2)
        XCTAssertEqual(big.cells.count, 6)
        XCTAssertEqual(big.text(), "  \n  \n  ")
    }

    func testSpansAndBox() {
        var b = CellBuffer(width: 30, height: 4)
        let theme = Theme(mode: .none)
        let inner = Box.draw(into: &b, rect: Rect(x: 0, y: 0, width: 30, height: 4),
                             title: [Span("Title")], legend: [Span("legend")], theme: theme)
        XCTAssertEqual(inner, Rect(x: 1, y: 1, width: 28, height: 2))
        XCTAssertEqual(b.text(), """
            ┌ Title ──────────── legend ─┐
            │                            │
            │                            │
            └────────────────────────────┘
            """)
        XCTAssertEqual([Span("ab"), Span("│c")].width, 4)
    }

    func testThemeNoneUsesDefaultColoursOnly() {
        let theme = Theme(mode: .none)
        for role in Role.allCases {
            XCTAssertEqual(theme[role].fg, .default)
            XCTAssertEqual(theme[role].bg, .default)
        }
        XCTAssertEqual(TermColor.grey(0), .palette(232))
        XCTAssertEqual(TermColor.grey(99), .palette(255))
        XCTAssertEqual(TermColor.blue.ansiIndex, 4)
        XCTAssertNil(TermColor.default.ansiIndex)
    }
}
