import Foundation
import GANFormats
import NeuralNet

/// A training checkpoint as safetensors, in PyTorch's layout and naming: for the MLP
/// `g.fc1.weight` [256, 100] … `d.fc3.bias` [1], for the DCGAN (metadata `model` = `dcgan`) the
/// state dicts `G.*` and `D.*` (see `DCGANModel.checkpointTensors`); Adam's moments (`adam.g.fc1.weight.m`, `.v`),
/// the screen's fixed latents (`viz.latents`), any extra tensors (the 1-D GAN's `gan1d.…`) and, in
/// `__metadata__`, everything else a bit-exact resume needs (step, epoch, position, seed, RNG state,
/// hyper-parameters), as strings because the format requires strings there.
public enum Checkpoint {
    public static let formatName = "gantop-checkpoint"
    public static let formatVersion = "1"

    public static func make(gan: any GANModel, latents: [Float], extraTensors: [String: Tensor] = [:],
                            extraMetadata: [String: String] = [:]) -> SafeTensors {
        var tensors = extraTensors
        tensors.merge(gan.checkpointTensors()) { _, new in new }
        tensors["viz.latents"] = Tensor(shape: [latents.count / gan.configuration.latentSize, gan.configuration.latentSize],
                                        floats: latents)
        let c = gan.configuration
        var metadata = extraMetadata
        let fields: [(String, String)] = [
            ("format", formatName), ("format_version", formatVersion),
            ("step", "\(gan.step)"), ("epoch", "\(gan.sampler.epoch)"), ("epoch_position", "\(gan.sampler.position)"),
            ("data_images", "\(gan.images.count)"), ("seed", "\(gan.seed)"),
            ("rng_state", gan.rng.stateWords.map { String($0, radix: 16) }.joined(separator: ",")),
            ("adam.g.step", "\(gan.adamG.step)"), ("adam.d.step", "\(gan.adamD.step)"),
            ("batch_size", "\(c.batchSize)"), ("latent_size", "\(c.latentSize)"),
            ("lr_d", "\(gan.adamD.learningRate)"), ("lr_g", "\(gan.adamG.learningRate)"),
            ("d_steps", "\(gan.dStepsPerGStep)"),
            ("beta1", "\(c.beta1)"), ("beta2", "\(c.beta2)"), ("epsilon", "\(c.epsilon)"),
            ("leaky_slope", "\(c.leakySlope)"),
            ("loss", c.loss.rawValue), ("optimizer", c.optimizer.rawValue), ("real_label", "\(c.realLabel)"),
            ("g_ema_decay", c.generatorAverageDecay.map { "\($0)" } ?? "none"), ("g_ema_updates", "\(gan.averageUpdates)"),
            ("d_dropout", "\(c.discriminatorDropout)"), ("g_ema_warmup", "\(c.generatorAverageWarmup)"),
            ("lr_anneal", c.learningRateAnnealing?.text ?? "none"),
        ]
        for (k, v) in fields { metadata[k] = v }
        // The MLP's checkpoints predate the key (and stay byte-identical): absent means mlp.
        if gan.kind != .mlp {
            metadata["model"] = gan.kind.rawValue
            metadata["sampling_statistics"] = c.samplingStatistics.rawValue
            metadata["init"] = c.initialisation.rawValue
            metadata["d_norm"] = c.discriminatorNormalisation.rawValue
            metadata["g_hidden"] = "\(c.generatorHidden)"
            metadata["d_hidden"] = "\(c.discriminatorHidden)"
            metadata["info_categories"] = "\(c.infoCategories)"
        }
        return SafeTensors(metadata: metadata, tensors: tensors)
    }

    /// What a checkpoint says about the run, read and checked before any model is built.
    public struct Header: Sendable {
        public var model: GANModelKind
        public var step: Int
        public var epoch: Int
        public var epochPosition: Int
        public var dataImages: Int
        public var seed: UInt64
        public var rng: RandomGenerator
        public var adamSteps: (g: Int, d: Int)
        public var configuration: GANConfiguration
        public var metadata: [String: String]
    }

    /// Reads and validates a checkpoint file: format, every expected tensor with the right
    /// dtype and shape, all values finite. Errors are one line naming the file.
    public static func read(_ url: URL) throws -> (header: Header, file: SafeTensors) {
        try parse(BinaryFile.read(url), name: url.lastPathComponent)
    }

    /// `read` of a checkpoint's bytes; `name` is used in error messages.
    public static func parse(_ bytes: [UInt8], name: String) throws -> (header: Header, file: SafeTensors) {
        let file = try SafeTensors.parse(bytes, name: name)
        func fail(_ problem: String) -> FormatError { FormatError(file: name, problem) }
        let meta = file.metadata
        guard meta["format"] == formatName else {
            throw fail("not a gantop checkpoint (metadata format is \(meta["format"].map { "'\($0)'" } ?? "missing"))")
        }
        guard meta["format_version"] == formatVersion else {
            throw fail("checkpoint format version \(meta["format_version"] ?? "?") is not supported (this gantop reads \(formatVersion))")
        }
        func int(_ key: String) throws -> Int {
            guard let s = meta[key], let v = Int(s), v >= 0 else { throw fail("metadata '\(key)' is missing or not a count") }
            return v
        }
        func float(_ key: String) throws -> Float {
            guard let s = meta[key], let v = Float(s), v.isFinite else { throw fail("metadata '\(key)' is missing or not a number") }
            return v
        }
        let model: GANModelKind
        if let text = meta["model"] {
            guard let kind = GANModelKind(rawValue: text) else {
                throw fail("metadata 'model' is '\(text)', not one of \(GANModelKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            model = kind
        } else {
            model = .mlp
        }
        /// An optional setting that names one case of `T` ("not adam or sgd" / "not one of ns, minimax, ls").
        func choice<T: RawRepresentable & CaseIterable>(_ key: String) throws -> T? where T.RawValue == String {
            guard let text = meta[key] else { return nil }
            guard let value = T(rawValue: text) else {
                let names = T.allCases.map(\.rawValue)
                let options = names.count == 2 ? names.joined(separator: " or ") : "one of " + names.joined(separator: ", ")
                throw fail("metadata '\(key)' is '\(text)', not \(options)")
            }
            return value
        }
        guard let seedText = meta["seed"], let seed = UInt64(seedText) else { throw fail("metadata 'seed' is missing or invalid") }
        let words = (meta["rng_state"] ?? "").split(separator: ",").compactMap { UInt64($0, radix: 16) }
        guard let rng = RandomGenerator(stateWords: words) else { throw fail("metadata 'rng_state' is missing or invalid") }
        var c = GANConfiguration()
        c.batchSize = try int("batch_size")
        c.latentSize = try int("latent_size")
        c.learningRateD = try float("lr_d")
        c.learningRateG = try float("lr_g")
        c.beta1 = try float("beta1")
        c.beta2 = try float("beta2")
        c.epsilon = try float("epsilon")
        c.leakySlope = try float("leaky_slope")
        // Settings added after format version 1 shipped: absent means the reference's value.
        if let loss: GANLoss = try choice("loss") { c.loss = loss }
        if let optimizer: OptimizerKind = try choice("optimizer") { c.optimizer = optimizer }
        if meta["real_label"] != nil { c.realLabel = try float("real_label") }
        if let text = meta["lr_anneal"], text != "none" {
            guard let a = LearningRateAnnealing(text: text) else { throw fail("metadata 'lr_anneal' is '\(text)', not START:END:FACTOR") }
            c.learningRateAnnealing = a
        }
        if meta["g_ema_warmup"] != nil {
            c.generatorAverageWarmup = try float("g_ema_warmup")
            guard c.generatorAverageWarmup > 1 else { throw fail("metadata 'g_ema_warmup' is \(c.generatorAverageWarmup), not above 1") }
        }
        if meta["d_dropout"] != nil {
            c.discriminatorDropout = try float("d_dropout")
            guard (0 ..< 1).contains(c.discriminatorDropout) else { throw fail("metadata 'd_dropout' is \(c.discriminatorDropout), not in [0, 1)") }
        }
        if let text = meta["g_ema_decay"], text != "none" {
            guard let decay = Float(text), decay > 0, decay < 1 else { throw fail("metadata 'g_ema_decay' is '\(text)', not a number in (0, 1)") }
            c.generatorAverageDecay = decay
        }
        if let n: DiscriminatorNormalisation = try choice("d_norm") { c.discriminatorNormalisation = n }
        // Absent (a DCGAN checkpoint from before the option): the spec's none.
        if meta["g_hidden"] != nil { c.generatorHidden = try int("g_hidden") }
        if meta["d_hidden"] != nil { c.discriminatorHidden = try int("d_hidden") }
        if meta["info_categories"] != nil { c.infoCategories = try int("info_categories") }
        if let i: DCGANInitialisation = try choice("init") { c.initialisation = i }
        if let s: SamplingStatistics = try choice("sampling_statistics") { c.samplingStatistics = s }
        guard c.batchSize >= 1, c.latentSize == GANConfiguration().latentSize else {
            throw fail("unsupported batch size \(c.batchSize) or latent size \(c.latentSize)")
        }
        if let reason = model.refusal(c) { throw fail(reason) }
        let header = Header(model: model, step: try int("step"), epoch: max(1, try int("epoch")), epochPosition: try int("epoch_position"),
                            dataImages: try int("data_images"), seed: seed, rng: rng,
                            adamSteps: (try int("adam.g.step"), try int("adam.d.step")), configuration: c, metadata: meta)
        // Check every network tensor now, so a bad file fails before training starts.
        if model == .dcgan {
            try DCGANModel.checkTensors(file, configuration: c, fileName: name)
            _ = try floats(file, "viz.latents", shape: nil, fileName: name)
            return (header, file)
        }
        let probe = (g: MLP(layers: c.generatorLayers, maxRows: 1, namePrefix: "g."),
                     d: MLP(layers: c.discriminatorLayers, maxRows: 1, namePrefix: "d."))
        for entry in probe.g.parameters.entries + probe.d.parameters.entries {
            for key in [entry.name, "adam.\(entry.name).m"] {
                _ = try floats(file, key, shape: entry.shape, fileName: name)
            }
            _ = try secondMoments(file, "adam.\(entry.name).v", shape: entry.shape, fileName: name)
        }
        if c.generatorAverageDecay != nil {
            for entry in probe.g.parameters.entries {
                _ = try floats(file, "g_ema." + entry.name.dropFirst(2), shape: entry.shape, fileName: name)
            }
        }
        _ = try floats(file, "viz.latents", shape: nil, fileName: name)
        return (header, file)
    }

    /// Copies weights and optimiser state into `gan` and sets its counters (after `read`).
    public static func restore(_ gan: any GANModel, from file: SafeTensors, header: Header, fileName: String) throws {
        guard gan.kind == header.model else {
            throw FormatError(file: fileName, "is a checkpoint of the \(header.model.rawValue) model, not the \(gan.kind.rawValue) (check --model)")
        }
        guard gan.images.count == header.dataImages else {
            throw FormatError(file: fileName, "was trained on \(header.dataImages) images, this run has \(gan.images.count) (check --limit-images / --data)")
        }
        guard header.epochPosition <= gan.images.count else {
            throw FormatError(file: fileName, "epoch position \(header.epochPosition) is past the data's end")
        }
        try gan.restoreTensors(from: file, header: header, fileName: fileName)
        gan.adamG.step = header.adamSteps.g
        gan.adamD.step = header.adamSteps.d
        gan.restore(step: header.step, rng: header.rng,
                    sampler: EpochSampler(count: gan.images.count, seed: header.seed, epoch: header.epoch, position: header.epochPosition))
    }

    /// The 16 fixed latents stored in the checkpoint.
    public static func latents(_ file: SafeTensors, fileName: String) throws -> [Float] {
        try floats(file, "viz.latents", shape: nil, fileName: fileName)
    }

    /// A float32 tensor of the expected shape (nil: any), all finite.
    public static func floats(_ file: SafeTensors, _ key: String, shape: [Int]?, fileName: String) throws -> [Float] {
        guard let t = file.tensors[key] else { throw FormatError(file: fileName, "tensor '\(key)' is missing") }
        guard t.dtype == .f32, let values = t.floats else {
            throw FormatError(file: fileName, "tensor '\(key)' has dtype \(t.dtype.rawValue), expected F32")
        }
        if let shape, t.shape != shape {
            throw FormatError(file: fileName, "tensor '\(key)' has shape \(t.shape), expected \(shape)")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw FormatError(file: fileName, "tensor '\(key)' holds a non-finite value (\(values[bad]) at index \(bad))")
        }
        return values
    }

    /// Adam's second moments: `floats`, and never negative (they are running means of squares;
    /// a negative one makes √v NaN at the first update, long after the file was accepted).
    public static func secondMoments(_ file: SafeTensors, _ key: String, shape: [Int]?, fileName: String) throws -> [Float] {
        let values = try floats(file, key, shape: shape, fileName: fileName)
        if let bad = values.firstIndex(where: { $0 < 0 }) {
            throw FormatError(file: fileName, "tensor '\(key)' holds a negative second moment (\(values[bad]) at index \(bad))")
        }
        return values
    }
}

extension ParameterSet {
    /// Each parameter under its own name, with Adam's moments as `adam.<name>.m` and `.v`.
    public func checkpointTensors() -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        let values = arrays(of: .values), m = arrays(of: .firstMoment), v = arrays(of: .secondMoment)
        for i in values.indices {
            let e = values[i].entry
            tensors[e.name] = Tensor(shape: e.shape, floats: values[i].data)
            tensors["adam.\(e.name).m"] = Tensor(shape: e.shape, floats: m[i].data)
            tensors["adam.\(e.name).v"] = Tensor(shape: e.shape, floats: v[i].data)
        }
        return tensors
    }

    /// The inverse of `checkpointTensors`, checking every dtype, shape and value.
    public func restore(from file: SafeTensors, fileName: String) throws {
        for e in entries {
            load(try Checkpoint.floats(file, e.name, shape: e.shape, fileName: fileName), into: e, block: .values)
            load(try Checkpoint.floats(file, "adam.\(e.name).m", shape: e.shape, fileName: fileName), into: e, block: .firstMoment)
            load(try Checkpoint.secondMoments(file, "adam.\(e.name).v", shape: e.shape, fileName: fileName), into: e, block: .secondMoment)
        }
    }
}
