import XCTest
import GANView

final class QualityPanelTests: XCTestCase {
    func render(_ data: QualityData?, width: Int = QualityPanel.preferredWidth, height: Int = QualityPanel.preferredHeight,
                mode: ColorMode = .palette256) -> CellBuffer {
        var b = CellBuffer(width: width, height: height)
        QualityPanel.render(data, into: &b, rect: b.bounds, theme: Theme(mode: mode))
        return b
    }

    /// Ten digits, 8 of them fair, 1 over-represented, one (7) almost missing.
    let collapsing = QualityData(score: 7.25, classHistogram: [100, 100, 100, 100, 100, 100, 100, 5, 100, 195],
                                 confidence: 0.9, scoreHistory: [1, 2.5, 4, 5.5, 7, 8.5, 10],
                                 collapseWarning: "mode collapse? digit 7 is under 2% of samples")

    func testSparklineUsesAFixedOneToTenScale() {
        // t = (v − 1)/9 → glyph round(7t): 0, 1, 2, 4 (3.5 rounds up), 5, 6, 7.
        XCTAssertEqual(QualityPanel.sparkline([1, 2.5, 4, 5.5, 7, 8.5, 10], width: 10), "▁▂▃▅▆▇█")
        XCTAssertEqual(QualityPanel.sparkline([0, 12, .nan], width: 10), "▁█ ")
        XCTAssertEqual(QualityPanel.sparkline([1, 10, 1, 10], width: 2), "▁█", "the latest values that fit")
        XCTAssertEqual(QualityPanel.sparkline([5], width: 0), "")
    }

    func testBarsInEighths() {
        XCTAssertEqual(QualityPanel.bar(0.5, width: 4), "██  ")
        XCTAssertEqual(QualityPanel.bar(1, width: 3), "███")
        XCTAssertEqual(QualityPanel.bar(0.25, width: 2), "▌ ")
        XCTAssertEqual(QualityPanel.bar(0.0625, width: 2), "▏ ")
        XCTAssertEqual(QualityPanel.bar(0, width: 2), "  ")
        XCTAssertEqual(QualityPanel.bar(.nan, width: 2), "  ")
        XCTAssertEqual(QualityPanel.shares([1, 3]), [0.25, 0.75, 0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(QualityPanel.shares([]), Array(repeating: 0, count: 10))
    }

    /// The whole panel at its preferred size, glyph for glyph: bars scaled so the largest share
    /// (19.5 %) fills the 22-cell bar column, 10 % fills 11.3 cells.
    func testGoldenFullLayout() {
        let text = render(collapsing).text(trimmingTrailingSpaces: true)
        XCTAssertEqual(text, """
            ┌ MNIST score 7.25 ──────── conf 0.90 ─┐
            │0 ███████████▌              100  10.0%│
            │1 ███████████▌              100  10.0%│
            │2 ███████████▌              100  10.0%│
            │3 ███████████▌              100  10.0%│
            │4 ███████████▌              100  10.0%│
            │5 ███████████▌              100  10.0%│
            │6 ███████████▌              100  10.0%│
            │7 ▋                           5   0.5%│
            │8 ███████████▌              100  10.0%│
            │9 ██████████████████████▍   195  19.5%│
            │history ▁▂▃▅▆▇█                       │
            │! mode collapse? digit 7 is under 2% …│
            └──────────────────────────────────────┘
            """)
    }

    func testMissingDigitIsInTheWarningStyle() {
        let theme = Theme(mode: .palette256)
        let b = render(collapsing)
        XCTAssertEqual(b[1, 8].style, theme[.warning], "digit 7's label")
        XCTAssertEqual(b[1, 1].style, theme[.label], "digit 0's label")
        XCTAssertEqual(b[3, 10].style, theme[.generated], "digit 9's bar")
        XCTAssertEqual(b[1, 12].style, theme[.warning], "the collapse warning")
        // Without colours the warning is still bold.
        XCTAssertTrue(render(collapsing, mode: .none)[1, 12].attributes.contains(.bold))
    }

    func testHealthyReadingShowsCoverageAndFrechetDistance() {
        let healthy = QualityData(score: 9.1, classHistogram: Array(repeating: 100, count: 10), confidence: 0.97,
                                  scoreHistory: [9, 9.1], frechetDistance: 3.456)
        let lines = render(healthy).text(trimmingTrailingSpaces: true).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[12], "│10/10 digits ≥ 2%  FD 3.46            │")
        XCTAssertFalse(lines.joined().contains("!"))
    }

    func testCompactLayoutBelowPreferredHeight() {
        // At 30 columns the legend ("conf 0.90") would touch the title, so the box drops it.
        let text = render(collapsing, width: 30, height: QualityPanel.minimumHeight).text(trimmingTrailingSpaces: true)
        XCTAssertEqual(text, """
            ┌ MNIST score 7.25 ──────────┐
            │▄ ▄ ▄ ▄ ▄ ▄ ▄   ▄ █         │
            │0 1 2 3 4 5 6 7 8 9         │
            │history ▁▂▃▅▆▇█             │
            │! mode collapse? digit 7 is…│
            └────────────────────────────┘
            """)
        // Three rows: the warning replaces the history.
        let tiny = render(collapsing, width: 30, height: 5).text(trimmingTrailingSpaces: true)
        XCTAssertTrue(tiny.contains("! mode collapse?"))
        XCTAssertFalse(tiny.contains("history"))
    }

    func testNoReadingYetAndDegenerateSizes() {
        XCTAssertTrue(render(nil).text().contains("waiting for the first reading"))
        for (w, h) in [(0, 0), (1, 1), (2, 2), (5, 3), (12, 14), (80, 40)] {
            let b = render(collapsing, width: w, height: h)
            XCTAssertEqual(b.width, w)  // drawing clips; nothing crashes
        }
        let empty = QualityData(score: .nan, classHistogram: [], confidence: 0)
        XCTAssertTrue(render(empty).text().contains("MNIST score nan"))
    }
}
