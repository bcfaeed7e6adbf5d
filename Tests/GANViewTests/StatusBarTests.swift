import XCTest
import GANView

final class StatusBarTests: XCTestCase {
    func snapshot(_ state: TrainerState = .running, message: String = "saved runs/x/checkpoint-step500.safetensors") -> FrameSnapshot {
        FrameSnapshot(state: state, epoch: 3, step: 12_345, stepsPerSecond: 187.4, dLoss: 0.6931, gLoss: 1.25,
                      dReal: 0.61, dFake: 0.38, seed: 42, message: message,
                      gan1d: Gan1DPanelData(targetName: "t", xMin: 0, xMax: 1, generatedDensity: [],
                                            dataDensity: [], discriminator: [], mapping: [], ks: 0.083, js: 0))
    }

    func render(_ s: FrameSnapshot, width: Int, rows: Int = 2) -> [String] {
        var b = CellBuffer(width: width, height: rows)
        StatusBar.render(s, into: &b, rect: b.bounds, theme: Theme(mode: .palette256))
        return (0..<rows).map { b.row($0) }
    }

    func testAt160ColumnsEverythingIsOnTheFirstRow() {
        let rows = render(snapshot(), width: 160)
        for field in ["RUNNING", "epoch 3", "step 12,345", "187 steps/s", "D 0.693", "G 1.250",
                      "D(x) 0.61", "D(G(z)) 0.38", "KS 0.083", "seed 42"] {
            XCTAssertTrue(rows[0].contains(field), field)
        }
        XCTAssertTrue(rows[1].hasPrefix("saved runs/x/checkpoint-step500.safetensors"))
        XCTAssertTrue(rows.allSatisfy { $0.unicodeScalars.count == 160 })
    }

    func testAt80ColumnsFieldsFlowToTheSecondRowWithoutWrapping() {
        for state in TrainerState.allCases {
            let rows = render(snapshot(state), width: 80)
            let text = rows.joined(separator: "\n")
            XCTAssertTrue(rows[0].contains(state.word))
            for field in ["step 12,345", "D 0.693", "G 1.250", "D(x) 0.61", "D(G(z)) 0.38", "KS 0.083", "seed 42", "saved"] {
                XCTAssertTrue(text.contains(field), field)
            }
            XCTAssertTrue(rows.allSatisfy { $0.unicodeScalars.count == 80 })
        }
    }

    func testOneRowAt80ColumnsAbbreviatesAndDrops() {
        let row = render(snapshot(.diverged), width: 80, rows: 1)[0]
        XCTAssertTrue(row.contains("DIVERGED"))
        XCTAssertTrue(row.contains("step 12,345"))
        XCTAssertTrue(row.contains("D 0.693") && row.contains("G 1.250"))
        XCTAssertEqual(row.unicodeScalars.count, 80)
        let narrow = render(snapshot(), width: 20, rows: 1)[0]
        XCTAssertTrue(narrow.contains("RUNNING"))
    }

    func testLongMessageIsTruncatedWithEllipsis() {
        let long = String(repeating: "x", count: 300)
        let rows = render(snapshot(message: long), width: 80)
        XCTAssertTrue(rows[1].hasSuffix("x…"))
        XCTAssertEqual(StatusBar.truncate("abcdef", to: 4), "abc…")
        XCTAssertEqual(StatusBar.truncate("abc", to: 4), "abc")
    }

    func testNonFiniteLossesAreShownAsNan() {
        var s = snapshot(.diverged)
        s.dLoss = .nan
        XCTAssertTrue(render(s, width: 160)[0].contains("D nan"))
    }

    func testKeyHints() {
        let essentials = "space pause  n step  w save  t target  h shade  s smooth  ? help  q quit"
        XCTAssertTrue(StatusBar.keyHintText.hasPrefix(essentials + "  e explain"), StatusBar.keyHintText)
        var b = CellBuffer(width: 80, height: 1)
        StatusBar.renderKeyHints(into: &b, rect: b.bounds, theme: Theme(mode: .basic8))
        XCTAssertEqual(b.text(trimmingTrailingSpaces: true), essentials, "80 columns: the essentials, whole hints only")
        XCTAssertEqual(b[0, 0].fg, .yellow)
        var wide = CellBuffer(width: 160, height: 1)
        StatusBar.renderKeyHints(into: &wide, rect: wide.bounds, theme: Theme(mode: .basic8))
        XCTAssertEqual(wide.text(trimmingTrailingSpaces: true), StatusBar.keyHintText)
    }
}
