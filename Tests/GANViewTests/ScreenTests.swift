import XCTest
import GANView

final class ScreenTests: XCTestCase {
    func testTooSmallMessageExactly() {
        XCTAssertEqual(TooSmall.message(width: 60, height: 20),
                       "terminal too small (need at least 80×24, have 60×20)")
        let b = Screen.render(.demo(step: 10), options: ViewOptions(), width: 60, height: 20, colorMode: .palette256)
        let lines = b.text(trimmingTrailingSpaces: true).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 20)
        XCTAssertEqual(lines.filter { !$0.isEmpty }.map { String($0.drop { $0 == " " }) },
                       ["terminal too small (need at least 80×24, have 60×20)"])
        XCTAssertEqual(lines[9].hasPrefix("    terminal"), true, "centred")
        for (w, h) in [(79, 50), (200, 23), (30, 5), (1, 1), (0, 0)] {
            let small = Screen.render(.demo(step: 10), options: ViewOptions(), width: w, height: h, colorMode: .none)
            XCTAssertEqual(small.width, w)
            if w >= 40 { XCTAssertTrue(small.text().contains("terminal too small")) }
        }
    }

    func testLayoutsFitAndDoNotOverlap() {
        for (w, h) in [(80, 24), (100, 30), (120, 30), (160, 50), (250, 70), (80, 60)] {
            let l = Screen.layout(width: w, height: h)
            XCTAssertFalse(l.tooSmall)
            let rects = [l.status, l.lossChart, l.gan1D, l.digits, l.quality, l.keyHints]
            let area = rects.reduce(0) { $0 + $1.width * $1.height }
            XCTAssertEqual(area, w * h, "\(w)×\(h) panels tile the screen")
            for r in rects {
                XCTAssertGreaterThanOrEqual(r.x, 0)
                XCTAssertLessThanOrEqual(r.maxX, w)
                XCTAssertLessThanOrEqual(r.maxY, h)
            }
            XCTAssertGreaterThan(DigitGrid.imageSize(fittingWidth: l.digits.width - 2, height: l.digits.height - 2).height, 0)
        }
        let wide = Screen.layout(width: 160, height: 50)
        XCTAssertEqual(wide.gan1D.width + wide.quality.width, 160, "1-D and quality panels share the bottom row")
        XCTAssertEqual(wide.quality.width, QualityPanel.preferredWidth)
        XCTAssertTrue(Screen.layout(width: 120, height: 30).quality.isEmpty, "no quality panel below 140 columns")
        XCTAssertEqual(wide.lossChart.y, wide.digits.y)
        let narrow = Screen.layout(width: 80, height: 24)
        XCTAssertEqual(narrow.lossChart.x, narrow.gan1D.x)
        XCTAssertEqual(narrow.digits.height, 21)
    }

    func checkFullRender(width: Int, height: Int, mode: ColorMode, unicodeDigits: Bool) {
        let snap = FrameSnapshot.demo(step: 5000, gan1DBins: Screen.gan1DBinCount(width: width, height: height))
        let b = Screen.render(snap, options: ViewOptions(unicodeDigits: unicodeDigits), width: width, height: height,
                              colorMode: mode)
        let l = Screen.layout(width: width, height: height)
        let lines = b.text().split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, height)
        XCTAssertTrue(lines.allSatisfy { $0.unicodeScalars.count == width }, "no row exceeds the width")
        XCTAssertTrue(b.row(0).contains("RUNNING"))
        XCTAssertTrue(b.row(height - 1).contains("q quit"))
        XCTAssertTrue(glyphs(in: b, l.lossChart).contains { isBraille($0) }, "braille in the loss chart")
        XCTAssertTrue(glyphs(in: b, l.gan1D).contains { isBlockElement($0) }, "bars in the 1-D panel")
        XCTAssertTrue(glyphs(in: b, l.gan1D).contains { isBraille($0) }, "curves in the 1-D panel")
        let digitGlyphs = glyphs(in: b, l.digits)
        if unicodeDigits && mode == .palette256 {
            XCTAssertGreaterThan(digitGlyphs.filter { $0 == "▀" }.count, 16 * 8)
        } else {
            XCTAssertGreaterThan(digitGlyphs.filter { isRampInk($0) }.count, 16 * 4, "ramp chars in the grid")
            XCTAssertTrue(digitGlyphs.contains("@") || digitGlyphs.contains("%"))
        }
        if mode == .none {
            XCTAssertTrue(b.cells.allSatisfy { $0.fg == .default && $0.bg == .default })
        }
    }

    func testFullRenders() {
        for mode in ColorMode.allCases {
            for unicode in [false, true] {
                checkFullRender(width: 160, height: 50, mode: mode, unicodeDigits: unicode)
                checkFullRender(width: 80, height: 24, mode: mode, unicodeDigits: unicode)
            }
        }
        checkFullRender(width: 120, height: 30, mode: .basic8, unicodeDigits: false)
    }

    func testHelpOverlayListsEveryKey() {
        let b = Screen.render(.demo(step: 100), options: ViewOptions(helpVisible: true), width: 80, height: 24,
                              colorMode: .basic8)
        let text = b.text()
        for key in ["space", "n  .", "w", "t", "h", "s", "?", "q  Ctrl-C"] { XCTAssertTrue(text.contains(key)) }
        for word in ["pause / resume", "single step", "save", "1-D target", "half-block", "smoothing", "quit", "Keys"] {
            XCTAssertTrue(text.contains(word), word)
        }
    }

    func testRenderIntoReusesTheBufferAndDiffsAreSmall() {
        var snap = FrameSnapshot.demo(step: 2000, gan1DBins: Screen.gan1DBinCount(width: 160, height: 50))
        var buffer = CellBuffer(width: 160, height: 50)
        Screen.render(snap, options: ViewOptions(), colorMode: .palette256, into: &buffer)
        let first = buffer
        XCTAssertEqual(first, Screen.render(snap, options: ViewOptions(), width: 160, height: 50, colorMode: .palette256))
        snap.step += 1
        Screen.render(snap, options: ViewOptions(), colorMode: .palette256, into: &buffer)
        let changes = buffer.changes(from: first)
        XCTAssertFalse(changes.isEmpty)
        XCTAssertTrue(changes.allSatisfy { $0.y == 0 }, "only the step field changed")
    }

    func testSmoothingChangesOnlyTheLossChart() {
        let snap = FrameSnapshot.demo(step: 3000, gan1DBins: Screen.gan1DBinCount(width: 160, height: 50))
        let raw = Screen.render(snap, options: ViewOptions(), width: 160, height: 50, colorMode: .none)
        let smooth = Screen.render(snap, options: ViewOptions(smoothing: true), width: 160, height: 50, colorMode: .none)
        let chart = Screen.layout(width: 160, height: 50).lossChart
        let changes = smooth.changes(from: raw)
        XCTAssertFalse(changes.isEmpty)
        XCTAssertTrue(changes.allSatisfy { chart.contains(x: $0.x, y: $0.y) })
        XCTAssertTrue(smooth.row(chart.y).contains("EMA"))
    }

    func testEmptySnapshotRenders() {
        let b = Screen.render(FrameSnapshot(), options: ViewOptions(), width: 80, height: 24, colorMode: .palette256)
        XCTAssertTrue(b.text().contains("waiting for the first step"))
        XCTAssertTrue(b.text().contains("no 1-D data"))
        XCTAssertTrue(b.row(0).contains("D –"), "an uncomputed loss reads as a dash, not nan")
    }

    func testRenderPerformance() {
        let snap = FrameSnapshot.demo(step: 50_000, gan1DBins: Screen.gan1DBinCount(width: 160, height: 50))
        var buffer = CellBuffer(width: 160, height: 50)
        measure {
            for _ in 0..<10 { Screen.render(snap, options: ViewOptions(), colorMode: .palette256, into: &buffer) }
        }
    }
}
