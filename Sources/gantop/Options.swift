import ArgumentParser
import Foundation
import GANTraining

/// Where the MNIST data comes from.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: ArgumentHelp("Folder with the MNIST .gz files (default: $GANTOP_DATA, then ./assets/mnist, then next to the executable).", valueName: "dir"))
    var directory: String?

    @Option(name: .customLong("limit-images"), parsing: .unconditional, help: ArgumentHelp("Train on the first N images only (quick runs and tests).", valueName: "n"))
    var limitImages: Int?

    func validate() throws {
        if let n = limitImages, n < 1 { throw ValidationError("--limit-images must be at least 1 (got \(n))") }
    }

    func loadTrainingImages() throws -> MNISTImages {
        let folder = try MNISTLocator.locate(explicit: directory)
        let images = try MNISTLoader.loadTrainingImages(from: folder)
        if let n = limitImages { return images.prefix(n) }
        return images
    }
}

/// The reference GAN's hyper-parameters, overridable for experiments.
struct HyperParameterOptions: ParsableArguments {
    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Real (and fake) samples per step.")
    var batchSize: Int?

    @Option(name: .customLong("lr-d"), parsing: .unconditional, help: ArgumentHelp("D's Adam learning rate (default 2e-4).", valueName: "rate"))
    var learningRateD: Float?

    @Option(name: .customLong("lr-g"), parsing: .unconditional, help: ArgumentHelp("G's Adam learning rate (default 2e-4).", valueName: "rate"))
    var learningRateG: Float?

    @Option(name: .customLong("d-steps"), parsing: .unconditional, help: ArgumentHelp("D updates per G update, 0–10 (default 1; 0 freezes D).", valueName: "k"))
    var dSteps: Int?

    func validate() throws {
        if let k = dSteps, !(0 ... 10).contains(k) {
            throw ValidationError("--d-steps must be between 0 and 10 (got \(k))")
        }
        if let b = batchSize, !(1 ... 4096).contains(b) {
            throw ValidationError("--batch-size must be between 1 and 4096 (got \(b))")
        }
        for (name, value) in [("--lr-d", learningRateD), ("--lr-g", learningRateG)] {
            if let v = value, !(v.isFinite && v > 0) {
                throw ValidationError("\(name) must be a positive finite number (got \(v))")
            }
        }
    }

    func apply(to configuration: inout GANConfiguration) {
        if let b = batchSize { configuration.batchSize = b }
        if let lr = learningRateD { configuration.learningRateD = lr }
        if let lr = learningRateG { configuration.learningRateG = lr }
    }

    /// D steps per G step: the option, else what the checkpoint ran with, else the recipe's 1.
    func dStepsPerGStep(checkpoint metadata: [String: String] = [:]) -> Int {
        if let dSteps { return dSteps }
        if let saved = metadata["d_steps"].flatMap(Int.init), (0 ... 10).contains(saved) { return saved }
        return 1
    }
}

/// A seed from the command line, or a fresh one that is printed so the run can be repeated.
func resolveSeed(_ seed: UInt64?) -> (seed: UInt64, chosen: Bool) {
    if let seed { return (seed, false) }
    return (UInt64.random(in: 1 ... 999_999), true)
}

/// Writes a line to standard error (Swift 6 forbids touching Glibc's `stderr` global directly).
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Writes a line to standard output at once (unbuffered: a pipe reader sees progress live,
/// and nothing is lost if the process is killed).
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// The quality meter's options (shared by the UI and headless runs).
struct QualityOptions: ParsableArguments {
    @Option(name: .customLong("quality-every"), parsing: .unconditional, help: ArgumentHelp("Measure sample quality (MNIST score, classes) every K steps; 0 turns it off.", valueName: "k"))
    var every = 500

    @Option(name: .customLong("classifier"), help: ArgumentHelp("The digit classifier's weights (default assets/classifier.safetensors).", valueName: "file"))
    var weights: String?

    func validate() throws {
        if every < 0 { throw ValidationError("--quality-every must be 0 or more (got \(every))") }
    }

    /// The meter, or nil when turned off; a missing classifier is an error only if it was named.
    func meter(for gan: MNISTGAN) throws -> QualityMeter? {
        guard every > 0 else { return nil }
        let url: URL
        if let weights {
            guard FileManager.default.fileExists(atPath: weights) else { throw ValidationError("--classifier \(weights): no such file") }
            url = URL(fileURLWithPath: weights)
        } else {
            guard let found = try? MNISTClassifier.locateWeights(explicit: nil) else { return nil }
            url = found
        }
        let classifier = try MNISTClassifier.load(from: url, maxRows: 1000)
        return QualityMeter(generator: gan.generator, classifier: classifier, seed: gan.seed)
    }
}
