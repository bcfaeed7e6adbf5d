import XCTest
@testable import GANView

/// The settings fields of issue 7 (learning rates, D:G ratio, speed limit) and the dash for a
/// loss a lone D or G update did not compute.
final class StatusBarSettingsTests: XCTestCase {
    private func snapshot(settings: TrainingSettings?, gLoss: Float = 1.25, message: String = "") -> FrameSnapshot {
        FrameSnapshot(state: .paused, epoch: 3, step: 12_345, stepsPerSecond: 0, dLoss: 0.6931, gLoss: gLoss,
                      dReal: 0.61, dFake: 0.38, seed: 42, message: message, settings: settings)
    }

    private func render(_ s: FrameSnapshot, width: Int) -> [String] {
        var b = CellBuffer(width: width, height: 2)
        StatusBar.render(s, into: &b, rect: b.bounds, theme: Theme(mode: .palette256))
        return [b.row(0), b.row(1)]
    }

    func testSettingsAreShownAt160Columns() {
        let s = snapshot(settings: TrainingSettings(learningRateD: 1e-4, learningRateG: 4e-4, dStepsPerGStep: 0, speedLimit: 3))
        let text = render(s, width: 160).joined(separator: "\n")
        for field in ["lr_D 1e-4", "lr_G 4e-4", "D:G 0:1", "limit 3/s"] { XCTAssertTrue(text.contains(field), "\(field) in\n\(text)") }
    }

    func testSettingsAt80ColumnsKeepTheLossesAndTheMessage() {
        let s = snapshot(settings: TrainingSettings(learningRateD: 2e-4, learningRateG: 2e-4, dStepsPerGStep: 1, speedLimit: 10),
                         message: "lr_d 0.0002 → 0.0001")
        let rows = render(s, width: 80)
        let text = rows.joined(separator: "\n")
        for field in ["PAUSED", "step 12,345", "D 0.693", "G 1.250", "lr_d 0.0002"] { XCTAssertTrue(text.contains(field), "\(field) in\n\(text)") }
        XCTAssertTrue(rows.allSatisfy { $0.unicodeScalars.count == 80 })
    }

    /// "model mlp" restates the default: when the bar is tight it goes before any field abbreviates;
    /// "model dcgan" stays (it is what the user most needs to know about such a run).
    func testTheDefaultModelGivesWayBeforeFieldsAbbreviate() throws {
        let message = "lr_d 0.0002 → 0.0004 from the next update"
        func rows(_ model: String, width: Int) -> String {
            // The screen of RecordingTests after key 2, where "model mlp" once made every field abbreviate.
            let settings = TrainingSettings(learningRateD: 4e-4, learningRateG: 2e-4, dStepsPerGStep: 1, batchSize: 16, model: model)
            let s = FrameSnapshot(state: .paused, epoch: 2, step: 19, stepsPerSecond: 0, dLoss: 0.6, gLoss: 0.801,
                                  dReal: 0.85, dFake: 0.58, seed: 11, message: message, settings: settings)
            return render(s, width: width).joined(separator: "\n")
        }
        let wide = rows("mlp", width: 160)
        XCTAssertTrue(wide.contains("model mlp") && wide.contains("lr_D 4e-4"), wide)
        var givenWay: Int?
        for width in 60 ... 160 {
            let text = rows("mlp", width: width)
            if text.contains("model mlp") {
                XCTAssertTrue(text.contains("lr_D 4e-4"), "model mlp kept at the cost of abbreviations, \(width) columns:\n\(text)")
            } else if text.contains("lr_D 4e-4") {
                givenWay = width  // the widest such width: just too narrow for everything
            }
        }
        let width = try XCTUnwrap(givenWay, "no width at which model mlp gives way and the rest stays in full")
        XCTAssertTrue(rows("mlp", width: width).contains(message))
        XCTAssertTrue(rows("dcgan", width: width).contains("model dcgan"), rows("dcgan", width: width))
    }

    func testNoSettingsWithoutATrainer() {
        XCTAssertFalse(render(snapshot(settings: nil), width: 160).joined().contains("lr_D"))
    }

    func testUncomputedLossIsADash() {
        let row = render(snapshot(settings: nil, gLoss: .nan), width: 160)[0]
        XCTAssertTrue(row.contains("G –"), row)
        XCTAssertFalse(row.contains("nan"), row)
    }

    func testLearningRateFormat() {
        XCTAssertEqual(StatusBar.learningRate(2e-4), "2e-4")
        XCTAssertEqual(StatusBar.learningRate(1e-4), "1e-4")
        XCTAssertEqual(StatusBar.learningRate(5e-5), "5e-5")
        XCTAssertEqual(StatusBar.learningRate(2.5e-5), "2.5e-5")
        XCTAssertEqual(StatusBar.learningRate(1.6e-3), "1.6e-3")
        XCTAssertEqual(StatusBar.learningRate(1), "1")
    }
}
