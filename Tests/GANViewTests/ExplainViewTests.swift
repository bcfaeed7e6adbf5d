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
