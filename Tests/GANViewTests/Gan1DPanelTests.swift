import XCTest
import GANView

final class Gan1DPanelTests: XCTestCase {
    func testHistogramBarsForAKnownDensity() {
        XCTAssertEqual(Gan1DPanel.histogramRows([0, 0.5, 1.0, 0.25, 0.0625, 2], yMax: 1, rows: 2),
                       ["  █  █", " ██▄▁█"])
        XCTAssertEqual(Gan1DPanel.histogramRows([0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1], yMax: 1, rows: 1),
                       ["▁▂▃▄▅▆▇█"])
        XCTAssertEqual(Gan1DPanel.barLevels([.nan, -1, 0.5], yMax: 1, rows: 3), [0, 0, 12])
    }

    func testBinCount() {
        XCTAssertEqual(Gan1DPanel.binCount(forWidth: 160), 160 - 2 - 5 - 4)
        XCTAssertEqual(Gan1DPanel.binCount(forWidth: 5), 0)
        for (w, h) in [(160, 50), (80, 24), (120, 30), (200, 60)] {
            let l = Screen.layout(width: w, height: h)
            XCTAssertEqual(Screen.gan1DBinCount(width: w, height: h), Gan1DPanel.binCount(forWidth: l.gan1D.width))
        }
        XCTAssertEqual(Screen.gan1DBinCount(width: 60, height: 20), 0)
    }

    func testResampling() {
        XCTAssertEqual(Gan1DPanel.resampleArea([1, 3], to: 4), [1, 1, 3, 3])
        XCTAssertEqual(Gan1DPanel.resampleArea([1, 3, 5, 7], to: 2), [2, 6])
        XCTAssertEqual(Gan1DPanel.resampleArea([], to: 2), [0, 0])
        XCTAssertEqual(Gan1DPanel.resampleLinear([0, 1], to: 4), [0, 0.25, 0.75, 1])
        XCTAssertEqual(Gan1DPanel.resampleLinear([2, 4, 6], to: 3), [2, 4, 6])
    }

    /// A triangle-shaped data density, a flat generated density and D(x) = 0.5.
    static func sampleData(bins: Int) -> Gan1DPanelData {
        let data = (0..<bins).map { i -> Float in
            let x = -4 + 8 * (Float(i) + 0.5) / Float(bins)
            return max(0, 0.5 - abs(x) / 4)
        }
        return Gan1DPanelData(
            targetName: "triangle", xMin: -4, xMax: 4,
            generatedDensity: Array(repeating: 0.125, count: bins), dataDensity: data,
            discriminator: Array(repeating: 0.5, count: bins),
            mapping: (0..<16).map { MappingPoint(z: -1 + 2 * Float($0) / 15, x: 3 * (-1 + 2 * Float($0) / 15)) },
            ks: 0.1, js: 0.05)
    }

    func testRenderPlacesEveryElement() {
        let rect = Rect(x: 0, y: 0, width: 80, height: 16)
        var b = CellBuffer(width: 80, height: 16)
        Gan1DPanel.render(Self.sampleData(bins: Gan1DPanel.binCount(forWidth: 80)), into: &b, rect: rect,
                          theme: Theme(mode: .palette256))
        let lines = b.text().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertTrue(lines[0].contains("triangle"))
        XCTAssertTrue(lines[0].contains("KS 0.100"))
        XCTAssertTrue(lines[0].contains("JS 0.050"))
        XCTAssertTrue(lines[0].contains("D(x)"))
        let all = glyphs(in: b, rect.inset(1))
        XCTAssertTrue(all.contains { isBlockElement($0) }, "generated histogram")
        XCTAssertTrue(all.contains { isBraille($0) }, "curves")
        // The flat histogram at 0.125 of a 0.5 scale is a bar a quarter of the plot high.
        XCTAssertTrue(lines.contains { $0.contains("1.0") } && lines.contains { $0.contains("0.5") })
        let axis = lines.first { $0.contains("x└") }!
        for label in ["-4", "-2", "0", "2", "4"] { XCTAssertTrue(axis.contains(label), label) }
        let zLine = lines.first { $0.contains("z -1") }!
        XCTAssertGreaterThanOrEqual(zLine.filter { $0 == "┴" }.count, 12)
        // D(x) is blue, the data curve uses the default foreground.
        let blue = b.cells.contains { isBraille($0.glyph) && $0.fg == .palette(33) }
        let plain = b.cells.contains { isBraille($0.glyph) && $0.fg == .default }
        XCTAssertTrue(blue && plain)
        XCTAssertTrue(b.cells.contains { isBlockElement($0.glyph) && $0.fg == .palette(71) })
    }

    func testMismatchedBinCountAndMissingDataAreHandled() {
        var b = CellBuffer(width: 60, height: 12)
        Gan1DPanel.render(Self.sampleData(bins: 7), into: &b, rect: b.bounds, theme: Theme(mode: .none))
        XCTAssertTrue(glyphs(in: b, b.bounds).contains { isBlockElement($0) })
        var empty = CellBuffer(width: 60, height: 12)
        Gan1DPanel.render(nil, into: &empty, rect: empty.bounds, theme: Theme(mode: .none))
        XCTAssertTrue(empty.text().contains("no 1-D data"))
        var tiny = CellBuffer(width: 10, height: 4)
        Gan1DPanel.render(Self.sampleData(bins: 3), into: &tiny, rect: tiny.bounds, theme: Theme(mode: .none))
    }
}
