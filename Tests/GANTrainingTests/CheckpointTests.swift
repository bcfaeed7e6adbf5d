import XCTest
import Foundation
import GANFormats
import NeuralNet
@testable import GANTraining

final class CheckpointTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gantop-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    private func smallGAN(seed: UInt64 = 11) throws -> MNISTGAN {
        var c = GANConfiguration()
        c.batchSize = 8
        return MNISTGAN(configuration: c, images: try Fixtures.trainingImages().prefix(100), seed: seed)
    }

    private func latents(_ gan: MNISTGAN) -> [Float] {
        DigitSampler.fixedLatents(count: 16, size: gan.configuration.latentSize, seed: gan.seed)
    }

    /// Training to step M after resuming from step N gives the same losses and weights, bit for
    /// bit, as an uninterrupted run to M (the data order wraps around an epoch in between).
    func testResumeIsBitIdenticalToAnUninterruptedRun() throws {
        let uninterrupted = try smallGAN()
        var reference: [StepStats] = []
        for _ in 0 ..< 30 { reference.append(uninterrupted.trainStep()) }

        let first = try smallGAN()
        for _ in 0 ..< 17 { first.trainStep() }
        let url = scratch.appendingPathComponent("c.safetensors")
        try Checkpoint.make(gan: first, latents: latents(first)).write(to: url)

        let (header, file) = try Checkpoint.read(url)
        XCTAssertEqual(header.step, 17)
        let resumed = MNISTGAN(configuration: header.configuration, images: try Fixtures.trainingImages().prefix(100), seed: header.seed)
        try Checkpoint.restore(resumed, from: file, header: header, fileName: "c")
        var continued: [StepStats] = []
        for _ in 17 ..< 30 { continued.append(resumed.trainStep()) }
        XCTAssertEqual(continued, Array(reference[17...]))
        for (a, b) in zip(uninterrupted.generator.parameters.arrays(of: .values), resumed.generator.parameters.arrays(of: .values)) {
            XCTAssertEqual(a.data, b.data, a.entry.name)
        }
        XCTAssertEqual(uninterrupted.discriminator.parameters.arrays(of: .secondMoment).flatMap(\.data),
                       resumed.discriminator.parameters.arrays(of: .secondMoment).flatMap(\.data))
    }

    /// Files hold [out, in] row-major weights whether or not this CPU keeps them in panels: a
    /// checkpoint from a panelled run restores exactly into a row-major one (and back).
    func testCheckpointsAreRowMajorWhateverTheLayout() throws {
        let panelled = try smallGAN()
        for _ in 0 ..< 3 { panelled.trainStep() }
        let url = scratch.appendingPathComponent("layout.safetensors")
        try Checkpoint.make(gan: panelled, latents: latents(panelled)).write(to: url)
        let (header, file) = try Checkpoint.read(url)
        let saved = PanelProducts.isEnabled
        PanelProducts.isEnabled = false
        let rowMajor = MNISTGAN(configuration: header.configuration, images: try Fixtures.trainingImages().prefix(100), seed: header.seed)
        PanelProducts.isEnabled = saved
        XCTAssertFalse(rowMajor.generator.isPanelled.contains(true))
        try Checkpoint.restore(rowMajor, from: file, header: header, fileName: "layout")
        for net in [\MNISTGAN.generator, \MNISTGAN.discriminator] {
            for block in [ParameterSet.Block.values, .firstMoment, .secondMoment] {
                XCTAssertEqual(rowMajor[keyPath: net].parameters.arrays(of: block).flatMap(\.data),
                               panelled[keyPath: net].parameters.arrays(of: block).flatMap(\.data))
            }
        }
        // The file's own bytes are the row-major matrix: unit 1's first weight is element [1, 0].
        let w = rowMajor.generator.parameters.array(rowMajor.generator.weightEntry(3), of: .values)
        XCTAssertEqual(try Checkpoint.floats(file, "g.fc4.weight", shape: [784, 1024], fileName: "layout")[1024], w[1024])
        XCTAssertEqual(rowMajor.generator.weight(3)[1, 0], w[1024])
        // And on: both layouts train the same network (within float rounding).
        let a = panelled.trainStep(), b = rowMajor.trainStep()
        XCTAssertEqual(a.dLoss, b.dLoss, accuracy: 1e-4)
        XCTAssertEqual(a.gLoss, b.gLoss, accuracy: 1e-4)
    }

    /// The tuned recipe with a changed objective and optimizer: the settings, the smoothing and
    /// G's weight average all come back, and training continues bit for bit.
    func testResumeKeepsSettingsAndTheWeightAverage() throws {
        func make() throws -> MNISTGAN {
            var c = GANConfiguration(recipe: .tuned)
            c.batchSize = 8
            c.loss = .leastSquares
            c.optimizer = .sgd
            return MNISTGAN(configuration: c, images: try Fixtures.trainingImages().prefix(100), seed: 3)
        }
        let uninterrupted = try make(), first = try make()
        for _ in 0 ..< 12 { uninterrupted.trainStep() }
        for _ in 0 ..< 7 { first.trainStep() }
        let url = scratch.appendingPathComponent("tuned.safetensors")
        try Checkpoint.make(gan: first, latents: latents(first)).write(to: url)
        let (header, file) = try Checkpoint.read(url)
        XCTAssertEqual(header.configuration, first.configuration)
        XCTAssertNotNil(file.tensors["g_ema.fc4.weight"])
        let resumed = MNISTGAN(configuration: header.configuration, images: try Fixtures.trainingImages().prefix(100), seed: header.seed)
        try Checkpoint.restore(resumed, from: file, header: header, fileName: "tuned")
        XCTAssertEqual(resumed.averageUpdates, 7)
        for _ in 7 ..< 12 { resumed.trainStep() }
        XCTAssertEqual(resumed.averagedGenerator!.parameters.arrays(of: .values).flatMap(\.data),
                       uninterrupted.averagedGenerator!.parameters.arrays(of: .values).flatMap(\.data))
        XCTAssertEqual(resumed.generator.parameters.arrays(of: .values).flatMap(\.data),
                       uninterrupted.generator.parameters.arrays(of: .values).flatMap(\.data))
    }

    /// Checkpoints written before the live settings existed read as the reference recipe;
    /// a bad value in the new keys is a one-line error.
    func testSettingsMetadataIsOptionalButChecked() throws {
        let gan = try smallGAN()
        var file = Checkpoint.make(gan: gan, latents: latents(gan))
        for key in ["loss", "optimizer", "real_label", "g_ema_decay", "g_ema_updates"] { file.metadata[key] = nil }
        let url = scratch.appendingPathComponent("old.safetensors")
        try file.write(to: url)
        XCTAssertEqual(try Checkpoint.read(url).header.configuration, gan.configuration)
        file.metadata["loss"] = "wasserstein"
        try file.write(to: url)
        XCTAssertThrowsError(try Checkpoint.read(url)) { error in
            XCTAssertTrue("\(error)".contains("wasserstein") && "\(error)".contains("old.safetensors"), "\(error)")
        }
    }

    func testPyTorchNamesAndShapes() throws {
        let gan = try smallGAN()
        let file = Checkpoint.make(gan: gan, latents: latents(gan))
        let expected: [String: [Int]] = [
            "g.fc1.weight": [256, 100], "g.fc1.bias": [256], "g.fc2.weight": [512, 256], "g.fc3.weight": [1024, 512],
            "g.fc4.weight": [784, 1024], "g.fc4.bias": [784], "d.fc1.weight": [512, 784], "d.fc2.weight": [256, 512],
            "d.fc3.weight": [1, 256], "d.fc3.bias": [1], "adam.g.fc1.weight.m": [256, 100], "adam.d.fc3.bias.v": [1],
            "viz.latents": [16, 100],
        ]
        for (name, shape) in expected {
            XCTAssertEqual(file.tensors[name]?.shape, shape, name)
            XCTAssertEqual(file.tensors[name]?.dtype, .f32, name)
        }
        for key in ["format", "format_version", "step", "epoch", "epoch_position", "seed", "rng_state", "lr_d", "lr_g", "batch_size"] {
            XCTAssertNotNil(file.metadata[key], key)
        }
    }

    /// Each broken checkpoint is a one-line error naming the file, never a crash.
    func testBrokenCheckpointsAreOneLineErrors() throws {
        let gan = try smallGAN()
        let good = Checkpoint.make(gan: gan, latents: latents(gan))
        func expectError(_ file: SafeTensors, mentions words: String, _ label: String) throws {
            let url = scratch.appendingPathComponent("\(label).safetensors")
            try file.write(to: url)
            XCTAssertThrowsError(try Checkpoint.read(url), label) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("\(label).safetensors"), "\(label): \(text)")
                XCTAssertTrue(text.contains(words), "\(label): \(text)")
                XCTAssertFalse(text.contains("\n"), label)
            }
        }
        var wrongShape = good
        wrongShape.tensors["g.fc2.weight"] = Tensor(shape: [512, 255], floats: [Float](repeating: 0, count: 512 * 255))
        try expectError(wrongShape, mentions: "shape", "wrong-shape")
        var wrongType = good
        wrongType.tensors["d.fc1.bias"] = Tensor(shape: [512], uint8s: [UInt8](repeating: 0, count: 512))
        try expectError(wrongType, mentions: "dtype", "wrong-dtype")
        var holdsNaN = good
        var values = try XCTUnwrap(good.tensors["g.fc4.bias"]?.floats)
        values[3] = .nan
        holdsNaN.tensors["g.fc4.bias"] = Tensor(shape: [784], floats: values)
        try expectError(holdsNaN, mentions: "non-finite", "nan")
        var negativeMoment = good
        var moments = try XCTUnwrap(good.tensors["adam.d.fc2.weight.v"]?.floats)
        moments[5] = -1e-9
        negativeMoment.tensors["adam.d.fc2.weight.v"] = Tensor(shape: try XCTUnwrap(good.tensors["adam.d.fc2.weight.v"]).shape, floats: moments)
        try expectError(negativeMoment, mentions: "negative second moment", "negative-v")
        var missing = good
        missing.tensors["adam.g.fc3.weight.v"] = nil
        try expectError(missing, mentions: "missing", "missing-tensor")
        var notOurs = good
        notOurs.metadata["format"] = "something-else"
        try expectError(notOurs, mentions: "not a gantop checkpoint", "foreign")

        let truncated = scratch.appendingPathComponent("truncated.safetensors")
        let bytes = good.encode()
        for cut in [0, 7, 8, 100, bytes.count / 2, bytes.count - 1] {
            try Data(bytes[0 ..< cut]).write(to: truncated)
            XCTAssertThrowsError(try Checkpoint.read(truncated), "cut at \(cut)") { error in
                XCTAssertTrue("\(error)".contains("truncated.safetensors"), "\(error)")
            }
        }
    }

    /// What a save writes, and that a NaN model is never saved over the last good files.
    func testRunOutputWritesEverythingAndRefusesNaN() throws {
        let gan = try smallGAN()
        let out = RunOutput(directory: scratch.appendingPathComponent("run"))
        for _ in 0 ..< 3 { out.record(gan.trainStep()) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.directory.path), "created on first save only")
        let digits = DigitSampler(generator: gan.generator, latents: latents(gan), count: 16).generate()
        try out.save(gan: gan, latents: latents(gan), digits: digits)
        for _ in 0 ..< 2 { out.record(gan.trainStep()) }
        let names = try FileManager.default.contentsOfDirectory(atPath: out.directory.path).sorted()
        XCTAssertEqual(names, ["checkpoint-latest.safetensors", "checkpoint-step3.safetensors", "losses.csv", "samples-step3.png"])
        let csv = try String(contentsOf: out.directory.appendingPathComponent("losses.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        XCTAssertEqual(lines.first, "step,epoch,d_loss,g_loss,d_real,d_fake")
        XCTAssertEqual(lines.dropFirst().map { $0.split(separator: ",")[0] }, ["1", "2", "3", "4", "5"])
        let png = try PNGImage.read(from: out.directory.appendingPathComponent("samples-step3.png"))
        XCTAssertEqual([png.width, png.height], [4 * 28 + 5 * 2, 4 * 28 + 5 * 2])

        gan.generator.parameters.values[5] = .nan
        XCTAssertThrowsError(try out.save(gan: gan, latents: latents(gan), digits: digits))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.directory.appendingPathComponent("checkpoint-step5.safetensors").path))
        XCTAssertNoThrow(try Checkpoint.read(out.directory.appendingPathComponent("checkpoint-latest.safetensors")))
    }

    /// checkpoint-latest is a hard link to the step's checkpoint (one file on disk, not two); a save
    /// that fails is thrown, counted and kept, and leaves the last good files as they were.
    func testRunOutputLinksLatestAndKeepsFailedSaves() throws {
        let gan = try smallGAN()
        let out = RunOutput(directory: scratch.appendingPathComponent("run"))
        let digits = [Float](repeating: -1, count: 16 * 784)
        func file(_ name: String) -> URL { out.directory.appendingPathComponent(name) }
        func inode(_ name: String) throws -> (ino: UInt64, links: UInt64) {
            let a = try FileManager.default.attributesOfItem(atPath: file(name).path)
            return ((a[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0, (a[.referenceCount] as? NSNumber)?.uint64Value ?? 0)
        }
        for _ in 0 ..< 3 { out.record(gan.trainStep()) }
        try out.save(gan: gan, latents: latents(gan), digits: digits)
        XCTAssertEqual(try inode("checkpoint-latest.safetensors").ino, try inode("checkpoint-step3.safetensors").ino)
        XCTAssertEqual(try inode("checkpoint-latest.safetensors").links, 2)
        XCTAssertEqual(out.failedSaves, [])

        // A directory where step 5's checkpoint goes: that save fails, even for root.
        for _ in 0 ..< 2 { out.record(gan.trainStep()) }
        try FileManager.default.createDirectory(at: file("checkpoint-step5.safetensors").appendingPathComponent("x"),
                                                withIntermediateDirectories: true)
        XCTAssertThrowsError(try out.save(gan: gan, latents: latents(gan), digits: digits, gan1d: nil, meter: nil))
        XCTAssertEqual(out.saveAttempts, 2)
        XCTAssertEqual(out.failedSaves.map(\.step), [5])
        XCTAssertTrue(out.failedSaves[0].error.contains("checkpoint-step5.safetensors"), out.failedSaves[0].error)
        XCTAssertEqual(out.lastSavedStep, 3)
        XCTAssertEqual(try Checkpoint.read(file("checkpoint-latest.safetensors")).header.step, 3)

        out.record(gan.trainStep())
        _ = try out.save(gan: gan, latents: latents(gan), digits: digits, gan1d: nil, meter: nil)
        XCTAssertEqual(try inode("checkpoint-latest.safetensors").ino, try inode("checkpoint-step6.safetensors").ino)
        XCTAssertEqual(try inode("checkpoint-step3.safetensors").links, 1, "step 3's file is no longer the latest")
        XCTAssertEqual(out.saveAttempts, 3)
        XCTAssertEqual(out.failedSaves.map(\.step), [5], "a later good save does not erase a failed one")
        let csv = try String(contentsOf: file("losses.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] }, ["1", "2", "3", "4", "5", "6"])
    }
}
