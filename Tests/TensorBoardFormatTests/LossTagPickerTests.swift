import XCTest
@testable import TensorBoardFormat

final class LossTagPickerTests: XCTestCase {
    func testTheCommonSpellings() {
        let pairs: [(String, String)] = [
            ("d_loss", "g_loss"), ("Loss/D/loss", "Loss/G/loss"), ("loss/disc", "loss/gen"), ("Loss_D", "Loss_G"),
            ("errD", "errG"), ("epoch_d_loss", "epoch_g_loss"), ("D_LOSS", "G_LOSS"), ("lossD", "lossG"),
            ("discriminator/loss", "generator/loss"), ("train/loss_disc", "train/loss_gen"), ("DLoss", "GLoss"),
        ]
        for (d, g) in pairs {
            let tags = ["lr", "D(x)", "d_real", g, "fid", d]
            let picked = LossTagPicker.pick(tags: tags, dTag: nil, gTag: nil)
            XCTAssertEqual(picked.d, d, "\(tags)")
            XCTAssertEqual(picked.g, g, "\(tags)")
        }
    }

    func testTheLeastQualifiedTagWins() {
        let stylegan = ["Loss/scores/fake", "Loss/signs/real", "Loss/D/reg", "Loss/D/loss", "Loss/G/reg", "Loss/G/loss", "Loss/r1_penalty"]
        let picked = LossTagPicker.pick(tags: stylegan, dTag: nil, gTag: nil)
        XCTAssertEqual(picked.d, "Loss/D/loss")
        XCTAssertEqual(picked.g, "Loss/G/loss")
        XCTAssertEqual(LossTagPicker.pick(tags: ["d_loss_real", "d_loss_fake", "d_loss"]).d, "d_loss")
    }

    func testNothingLikeALossPicksNothing() {
        let picked = LossTagPicker.pick(tags: ["accuracy", "lr", "d_real", "gradient_norm", "loss"], dTag: nil, gTag: nil)
        XCTAssertNil(picked.d)
        XCTAssertNil(picked.g)
    }

    func testExplicitTagsWinIgnoringCaseAndUnknownOnesGiveNil() {
        let tags = ["d_loss", "g_loss", "critic/w_dist"]
        let picked = LossTagPicker.pick(tags: tags, dTag: "CRITIC/W_DIST", gTag: "missing")
        XCTAssertEqual(picked.d, "critic/w_dist")
        XCTAssertNil(picked.g)
        XCTAssertEqual(LossTagPicker.pick(tags: tags, dTag: nil, gTag: "g_loss").g, "g_loss")
    }

    func testSampleTags() {
        XCTAssertEqual(SampleTagPicker.pick(imageTags: ["real", "fake_samples"]), "fake_samples")
        XCTAssertEqual(SampleTagPicker.pick(imageTags: ["grid", "Generated"]), "Generated")
        XCTAssertEqual(SampleTagPicker.pick(imageTags: ["x"]), "x")
        XCTAssertNil(SampleTagPicker.pick(imageTags: []))
    }
}
