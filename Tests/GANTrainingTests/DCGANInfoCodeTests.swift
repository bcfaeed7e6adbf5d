import XCTest
import GANFormats
import Layers
import NeuralNet
@testable import GANTraining

/// The DCGAN's InfoGAN categorical code (`--info-categories`): how latents are drawn, the Q head's
/// tensors and learning, refusals, and a bit-exact resume.
final class DCGANInfoCodeTests: XCTestCase {
    private func model(seed: UInt64 = 5, categories: Int = 4) throws -> DCGANModel {
        var c = GANConfiguration()
        c.batchSize = 8
        c.discriminatorHidden = 16
        c.infoCategories = categories
        return DCGANModel(configuration: c, images: try Fixtures.trainingImages().prefix(40), seed: seed)
    }

    func testLatentsCarryAOneHotCodeInTheirLastColumns() {
        let layout = LatentLayout(size: 100, categories: 10)
        let arena = FloatArena(capacity: FloatArena.capacity(for: [(500, 100), (500, 100)]))
        let z = arena.matrix(rows: 500, cols: 100), plain = arena.matrix(rows: 500, cols: 100)
        var rng = RandomGenerator(seed: 3), same = RandomGenerator(seed: 3)
        layout.fill(z, rng: &rng)
        LatentLayout(size: 100).fill(plain, rng: &same)
        var seen = Set<Int>()
        for r in 0 ..< 500 {
            let code = layout.code(row: r, of: z)
            seen.insert(code)
            for k in 0 ..< 10 { XCTAssertEqual(z.base[r * 100 + 90 + k], k == code ? 1 : 0) }
            for c in 0 ..< 90 {
                XCTAssertEqual(z.base[r * 100 + c], plain.base[r * 100 + c])   // the noise is the code-less stream's
                XCTAssertTrue((-1 ... 1).contains(z.base[r * 100 + c]))
            }
        }
        XCTAssertEqual(seen, Set(0 ..< 10))
        let fixed = layout.fixedLatents(count: 16, seed: 1)
        let uncoded = LatentLayout(size: 100).fixedLatents(count: 16, seed: 1)
        XCTAssertEqual(uncoded, DigitSampler.fixedLatents(count: 16, size: 100, seed: 1))
        for i in 0 ..< 16 {
            XCTAssertEqual(Array(fixed[(i * 100) ..< (i * 100 + 90)]), Array(uncoded[(i * 100) ..< (i * 100 + 90)]))
            XCTAssertEqual(fixed[i * 100 + 90 + i % 10], 1, "latent \(i) shows category \(i % 10)")
            XCTAssertEqual(fixed[(i * 100 + 90) ..< (i * 100 + 100)].reduce(0, +), 1)
        }
    }

    func testQReadsDsHiddenLayerAndLearnsTheCode() throws {
        let m = try model()
        guard let q = m.trainer.infoHead else { return XCTFail("no Q head") }
        XCTAssertEqual(q.parameters.entries.map(\.name), ["0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias"])
        m.trainStep()
        // At N(0, 0.02) Q knows nothing: its cross-entropy starts at ln K.
        XCTAssertEqual(m.trainer.codeLoss.discriminator, log(4), accuracy: 0.05)
        let q0 = q.parameters.arrays(of: .values).flatMap(\.data)
        var last: Float = 0
        for _ in 0 ..< 60 { m.trainStep(); last = m.trainer.codeLoss.generator }
        XCTAssertNotEqual(q.parameters.arrays(of: .values).flatMap(\.data), q0, "Q learns with D")
        XCTAssertLessThan(last, 0.8 * log(4), "G and Q make the code readable")
        XCTAssertTrue(m.stateIsFinite)
    }

    func testCodeCheckpointHasQAndResumesBitExactly() throws {
        let first = try model(), uninterrupted = try model()
        for _ in 0 ..< 3 { first.trainStep(); uninterrupted.trainStep() }
        let bytes = Checkpoint.make(gan: first, latents: DigitSampler.fixedLatents(count: 16, configuration: first.configuration, seed: 1)).encode()
        let (header, file) = try Checkpoint.parse(bytes, name: "code")
        XCTAssertEqual(header.configuration.infoCategories, 4)
        XCTAssertEqual(file.metadata["info_categories"], "4")
        XCTAssertEqual(file.tensors["Q.0.weight"]?.shape, [128, 16])
        XCTAssertEqual(file.tensors["Q.3.weight"]?.shape, [4, 128])
        XCTAssertEqual(file.tensors["Q.1.running_var"]?.shape, [128])
        XCTAssertEqual(file.tensors["adam.Q.3.bias.m"]?.shape, [4])
        let resumed = DCGANModel(configuration: header.configuration, images: try Fixtures.trainingImages().prefix(40), seed: header.seed)
        try Checkpoint.restore(resumed, from: file, header: header, fileName: "code")
        for _ in 0 ..< 3 {
            let a = resumed.trainStep(), b = uninterrupted.trainStep()
            XCTAssertEqual([a.dLoss, a.gLoss].map(\.bitPattern), [b.dLoss, b.gLoss].map(\.bitPattern))
        }
        XCTAssertEqual(resumed.checkpointTensors().mapValues(\.bytes), uninterrupted.checkpointTensors().mapValues(\.bytes))
        var tensors = file.tensors
        tensors["Q.3.weight"] = nil
        XCTAssertThrowsError(try Checkpoint.parse(SafeTensors(metadata: file.metadata, tensors: tensors).encode(), name: "x"))
    }

    func testACodeWithoutDsHiddenLayerOrOfOneCategoryIsRefusedInOneLine() {
        for (hidden, k) in [(0, 10), (16, 1), (16, DCGANArchitecture.maximumCategories + 1)] {
            var c = GANConfiguration()
            c.discriminatorHidden = hidden
            c.infoCategories = k
            let reason = GANModelKind.dcgan.refusal(c)
            XCTAssertNotNil(reason, "hidden \(hidden), k \(k)")
            XCTAssertFalse(reason?.contains("\n") ?? true)
        }
    }
}
