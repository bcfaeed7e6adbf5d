import XCTest
import Foundation
import NeuralNet
@testable import GANTraining

/// Whole training steps on the kernel paths this CPU runs. Within a path a seed gives one run
/// (the rest of the suite, which `.ci/run` repeats under each `GANTOP_KERNELS`, holds resume to
/// the bit); across paths, AVX2 and AVX-512 must train bit-identically, and a checkpoint from any
/// path must load exactly and train on any other.
final class KernelPathTrainingTests: XCTestCase {
    private func smallGAN(seed: UInt64 = 21) throws -> MNISTGAN {
        var c = GANConfiguration()
        c.batchSize = 32
        return MNISTGAN(configuration: c, images: try Fixtures.trainingImages().prefix(200), seed: seed)
    }

    private func allParameters(_ gan: MNISTGAN) -> [[Float]] {
        [gan.generator, gan.discriminator].flatMap { net in
            [ParameterSet.Block.values, .firstMoment, .secondMoment].flatMap { net.parameters.arrays(of: $0).map(\.data) }
        }
    }

    func testAVXPathsTrainBitIdentically() throws {
        let paths = KernelPath.supported.filter { $0 == .avx512 || $0 == .avx2 }
        try XCTSkipIf(paths.count < 2, "this CPU runs \(paths) only: nothing to compare it with")
        let runs = try paths.map { path in
            try KernelPath.run(on: path) { () throws -> ([StepStats], [[Float]]) in
                let gan = try smallGAN()
                let stats = (0 ..< 12).map { _ in gan.trainStep() }
                return (stats, allParameters(gan))
            }
        }
        XCTAssertEqual(runs[0].0, runs[1].0, "losses, avx512 against avx2")
        XCTAssertTrue(runs[0].1 == runs[1].1, "parameters and moments, avx512 against avx2")
    }

    func testACheckpointFromOnePathLoadsExactlyAndTrainsOnEveryOther() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gantop-paths-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let url = scratch.appendingPathComponent("c.safetensors")
        let writer = KernelPath.best
        let (saved, continuation) = try KernelPath.run(on: writer) { () throws -> ([[Float]], [StepStats]) in
            let gan = try smallGAN()
            for _ in 0 ..< 6 { gan.trainStep() }
            let latents = DigitSampler.fixedLatents(count: 16, size: gan.configuration.latentSize, seed: gan.seed)
            try Checkpoint.make(gan: gan, latents: latents).write(to: url)
            return (allParameters(gan), (0 ..< 4).map { _ in gan.trainStep() })
        }
        for path in KernelPath.supported {
            try KernelPath.run(on: path) {
                let (header, file) = try Checkpoint.read(url)
                let resumed = MNISTGAN(configuration: header.configuration, images: try Fixtures.trainingImages().prefix(200),
                                       seed: header.seed)
                try Checkpoint.restore(resumed, from: file, header: header, fileName: "c")
                XCTAssertTrue(allParameters(resumed) == saved, "written on \(writer), loaded on \(path): the same numbers")
                let stats = (0 ..< 4).map { _ in resumed.trainStep() }
                if path == writer || Set([path, writer]) == [.avx512, .avx2] {
                    XCTAssertEqual(stats, continuation, "\(path) continues \(writer)'s run bit for bit")
                } else {
                    // Another rounding (portable: no fused multiply-adds; blas: OpenBLAS's order)
                    // over four steps moves the losses by far less than a step does.
                    for (a, b) in zip(stats, continuation) {
                        XCTAssertTrue(a.dLoss.isFinite && a.gLoss.isFinite, "\(path)")
                        XCTAssertEqual(a.dLoss, b.dLoss, accuracy: 1e-3, "\(path) D loss")
                        XCTAssertEqual(a.gLoss, b.gLoss, accuracy: 1e-3, "\(path) G loss")
                    }
                }
            }
        }
    }
}
