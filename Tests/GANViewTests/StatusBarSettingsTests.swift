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
