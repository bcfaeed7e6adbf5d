import XCTest
@testable import GANView

/// What explain mode adds to the screen: the state word, the "before" D(x) curve in the 1-D
/// panel after phase 2, and the note on the digits after phase 3.
final class ExplainViewTests: XCTestCase {
    func testStatusBarSaysWhichPhase() {
        var s = FrameSnapshot(state: .running, step: 12, message: "(2) D is trained")
        s.explain = ExplainStatus(phase: 2, index: 2, count: 3)
        var b = CellBuffer(width: 120, height: 2)
        StatusBar.render(s, into: &b, rect: b.bounds, theme: Theme(mode: .palette256))
        XCTAssertTrue(b.row(0).hasPrefix(" EXPLAIN 2/3 "), b.row(0))
        XCTAssertTrue(b.row(1).contains("(2) D is trained"), b.row(1))
        s.state = .paused
        b = CellBuffer(width: 120, height: 2)
        StatusBar.render(s, into: &b, rect: b.bounds, theme: Theme(mode: .palette256))
        XCTAssertTrue(b.row(0).hasPrefix(" PAUSED "), "paused wins over the phase: \(b.row(0))")
    }

    func testPreviousDiscriminatorIsDrawnDimWithALegend() {
        let bins = Gan1DPanel.binCount(forWidth: 80)
        let data = Gan1DPanelTests.sampleData(bins: bins)
        func render(_ d: Gan1DPanelData) -> CellBuffer {
            var b = CellBuffer(width: 80, height: 16)
            Gan1DPanel.render(d, into: &b, rect: b.bounds, theme: Theme(mode: .palette256))
            return b
        }
        let plain = render(data)
        XCTAssertFalse(plain.row(0).contains("D before"))
        // D was 0.5 everywhere; before the update it was 0.9: a second curve near the top.
        let before = render(data.with(previousDiscriminator: Array(repeating: 0.9, count: bins)))
        XCTAssertTrue(before.row(0).contains("┄ D before"), before.row(0))
        let hint = Theme(mode: .palette256)[.hint].fg
        let dimBraille = { (b: CellBuffer) in b.cells.filter { isBraille($0.glyph) && $0.fg == hint }.count }
        XCTAssertEqual(dimBraille(plain), 0)
        XCTAssertGreaterThan(dimBraille(before), 10, "the old D(x) curve is drawn in the hint colour")
    }

    func testDigitGridNote() {
        var b = CellBuffer(width: 60, height: 30)
        DigitGrid.render([], halfBlocks: false, into: &b, rect: b.bounds, theme: Theme(mode: .none), note: "changed by phase 3")
        XCTAssertTrue(b.row(0).contains("Samples G(z) · changed by phase 3"), b.row(0))
        var narrow = CellBuffer(width: 30, height: 16)
        DigitGrid.render([], halfBlocks: false, into: &narrow, rect: narrow.bounds, theme: Theme(mode: .none), note: "changed by phase 3")
        XCTAssertFalse(narrow.row(0).contains("phase"), "no room: the note is left out, the title stays")
        XCTAssertTrue(narrow.row(0).contains("Samples"))
    }
}

/// The 1-D panel's arrows: every other mapping sample, pointing the way G moves it.
final class PushArrowTests: XCTestCase {
    func testArrowsPointWhereGMovesTheSamples() {
        let bins = Gan1DPanel.binCount(forWidth: 120)
        var data = Gan1DPanelTests.sampleData(bins: bins)
        // Left half pushed right, right half pushed left (towards the data's centre); one tiny push.
        data.mapping = data.mapping.enumerated().map { i, p in
            MappingPoint(z: p.z, x: p.x, push: i == 14 ? 1e-4 : (p.x < 0 ? 0.8 : -0.8))
        }
        var b = CellBuffer(width: 120, height: 18)
        Gan1DPanel.render(data, into: &b, rect: b.bounds, theme: Theme(mode: .palette256))
        let lines = b.text().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let axis = lines.firstIndex { $0.contains("x└") }!
        let strip = lines[axis + 1]
        let right = strip.filter { $0 == "→" }.count, left = strip.filter { $0 == "←" }.count
        XCTAssertEqual(right + left, 7, "8 of 16 samples, less the negligible push: \(strip)")
        XCTAssertGreaterThan(right, 0)
        XCTAssertGreaterThan(left, 0)
        let firstLeft = strip.firstIndex(of: "←")!, lastRight = strip.lastIndex(of: "→")!
        XCTAssertLessThan(lastRight, firstLeft, "right-pushes sit left of centre: \(strip)")
        XCTAssertTrue(lines[0].contains("G's push"), lines[0])

        data.mapping = data.mapping.map { MappingPoint(z: $0.z, x: $0.x) }
        var none = CellBuffer(width: 120, height: 18)
        Gan1DPanel.render(data, into: &none, rect: none.bounds, theme: Theme(mode: .palette256))
        XCTAssertFalse(none.text().contains("→") || none.text().contains("←"), "no gradient known, no arrows")
    }
}
