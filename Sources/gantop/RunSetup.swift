import ArgumentParser
import Foundation
import GANFormats
import GANTraining
import GANView

/// Where a run saves, how often, and what it resumes from.
struct SaveOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Run directory for checkpoints, samples and losses.csv (default runs/YYYYMMDD-HHMMSS, created on first save).", valueName: "dir"))
    var out: String?

    @Option(name: .customLong("save-every"), parsing: .unconditional, help: ArgumentHelp("Save every N steps.", valueName: "n"))
    var saveEvery: Int?

    @Flag(name: .customLong("no-save-on-quit"), help: "Do not save when the run ends or is interrupted.")
    var noSaveOnQuit = false

    @Option(help: ArgumentHelp("Continue from this checkpoint (seed and hyper-parameters come from it unless given again).", valueName: "file"))
    var resume: String?

    func validate() throws {
        if let n = saveEvery, n < 1 { throw ValidationError("--save-every must be at least 1 (got \(n))") }
        if let out, out.isEmpty { throw ValidationError("--out must not be empty") }
        if let out { try Self.checkCreatable(out) }
    }

    /// The run directory is only created at the first save, but a path that can never be created
    /// (a file in the way, a read-only parent) is better said at once than after an hour of training.
    static func checkCreatable(_ path: String) throws {
        var url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            url.deleteLastPathComponent()
        }
        guard isDirectory.boolValue else {
            throw ValidationError("--out \(path): \(url.path) is a file, not a directory")
        }
        guard access(url.path, W_OK) == 0 else {
            throw ValidationError("--out \(path): \(url.path) is not writable")
        }
    }

    var runDirectory: URL { out.map { URL(fileURLWithPath: $0) } ?? RunOutput.defaultDirectory() }
}

/// A ready-to-train GAN: fresh, or restored from a checkpoint.
struct PreparedRun {
    let gan: any GANModel
    let latents: [Float]
    /// The paper-figure GAN (fresh for the UI, restored from a checkpoint that has one).
    let gan1d: Gan1D?
    let seedWasChosen: Bool
    let resumedFrom: String?

    static func make(hyper: HyperParameterOptions, seed requestedSeed: UInt64?, data: DataOptions,
                     resume: String?, target: Target1D?, batchCapacity: Int? = nil) throws -> PreparedRun {
        guard let resume else {
            let (model, configuration) = try hyper.freshConfiguration()
            let (seed, chosen) = resolveSeed(requestedSeed)
            let images = try data.loadTrainingImages()
            let gan = model.make(configuration: configuration, images: images, seed: seed, batchCapacity: batchCapacity)
            gan.dStepsPerGStep = hyper.dStepsPerGStep()
            let latents = DigitSampler.fixedLatents(count: FrameSnapshot.digitCount, configuration: configuration, seed: seed)
            return PreparedRun(gan: gan, latents: latents, gan1d: target.map { Gan1D(target: $0, seed: seed) },
                               seedWasChosen: chosen, resumedFrom: nil)
        }
        let url = URL(fileURLWithPath: resume)
        let (header, file) = try Checkpoint.read(url)
        if let model = hyper.model, model != header.model {
            throw FormatError(file: url.lastPathComponent, "is a checkpoint of the \(header.model.rawValue) model, not the \(model.rawValue) (drop --model, or pass --model \(header.model.rawValue))")
        }
        // The networks' layers are the checkpoint's: an option that names other ones is refused.
        let saved = header.configuration
        for (option, asked, kept) in [("--d-norm", hyper.discriminatorNormalisation?.rawValue, saved.discriminatorNormalisation.rawValue),
                                      ("--g-hidden", hyper.generatorHidden.map(String.init), "\(saved.generatorHidden)"),
                                      ("--d-hidden", hyper.discriminatorHidden.map(String.init), "\(saved.discriminatorHidden)"),
                                      ("--info-categories", hyper.infoCategories.map(String.init), "\(saved.infoCategories)")]
        where asked != nil && asked != kept {
            throw ValidationError("\(option) \(asked!): the checkpoint's is \(kept) (the networks' layers cannot change on resume)")
        }
        var configuration = header.configuration
        hyper.apply(to: &configuration, model: header.model)
        if let reason = header.model.refusal(configuration) { throw ValidationError("--model \(header.model.rawValue): \(reason)") }
        let images = try data.loadTrainingImages()
        let seed = requestedSeed ?? header.seed
        let gan = header.model.make(configuration: configuration, images: images, seed: seed, batchCapacity: batchCapacity)
        var restoredHeader = header
        if let requestedSeed, requestedSeed != header.seed {
            // A new seed on resume: new noise and data order from here on, same weights.
            restoredHeader.seed = requestedSeed
            restoredHeader.rng = gan.rng
        }
        try Checkpoint.restore(gan, from: file, header: restoredHeader, fileName: url.lastPathComponent)
        if hyper.learningRateD == nil { gan.adamD.learningRate = header.configuration.learningRateD }
        if hyper.learningRateG == nil { gan.adamG.learningRate = header.configuration.learningRateG }
        gan.dStepsPerGStep = hyper.dStepsPerGStep(checkpoint: header.metadata)
        let latents = try Checkpoint.latents(file, fileName: url.lastPathComponent)
        var gan1d = try Gan1D.restore(from: file, seed: seed, fileName: url.lastPathComponent)
        if let target, gan1d?.target != target { gan1d = Gan1D(target: target, seed: seed) }
        return PreparedRun(gan: gan, latents: latents, gan1d: gan1d, seedWasChosen: false, resumedFrom: resume)
    }
}
