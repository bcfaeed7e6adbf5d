import GANFormats
import NeuralNet

/// The 1-D GAN's part of a checkpoint: `gan1d.g.fc1.weight` …, `gan1d.d.…`, their Adam moments
/// (`adam.gan1d.g.fc1.weight.m`, `.v`), the weight average (`gan1d.ema.g.fc1.weight` …), and in
/// the metadata its target, step, Adam steps and RNG state.
extension Gan1D {
    public func checkpointTensors() -> [String: Tensor] {
        var tensors = generator.parameters.checkpointTensors()
        tensors.merge(discriminator.parameters.checkpointTensors()) { _, new in new }
        for (e, data) in zip(generator.parameters.entries, averagedGenerator.parameters.arrays(of: .values).map(\.data)) {
            tensors[emaName(e.name)] = Tensor(shape: e.shape, floats: data)
        }
        return tensors
    }

    public var checkpointMetadata: [String: String] {
        ["gan1d_target": target.rawValue, "gan1d_step": "\(step)",
         "gan1d_adam_g_step": "\(adamG.step)", "gan1d_adam_d_step": "\(adamD.step)",
         "gan1d_rng_state": rng.stateWords.map { String($0, radix: 16) }.joined(separator: ",")]
    }

    /// A 1-D GAN restored from a checkpoint, or nil when the checkpoint has none.
    public static func restore(from file: SafeTensors, seed: UInt64, fileName: String) throws -> Gan1D? {
        let meta = file.metadata
        guard let name = meta["gan1d_target"] else { return nil }
        guard let target = Target1D(rawValue: name) else {
            throw FormatError(file: fileName, "unknown 1-D target '\(name)'")
        }
        let gan = Gan1D(target: target, seed: seed)
        for network in [gan.generator, gan.discriminator] {
            try network.parameters.restore(from: file, fileName: fileName)
        }
        let ema = gan.averagedGenerator.parameters
        for (e, live) in zip(ema.entries, gan.generator.parameters.entries) {
            ema.load(try Checkpoint.floats(file, gan.emaName(live.name), shape: e.shape, fileName: fileName), into: e, block: .values)
        }
        let words = (meta["gan1d_rng_state"] ?? "").split(separator: ",").compactMap { UInt64($0, radix: 16) }
        guard let rng = RandomGenerator(stateWords: words),
              let step = meta["gan1d_step"].flatMap(Int.init),
              let adamG = meta["gan1d_adam_g_step"].flatMap(Int.init),
              let adamD = meta["gan1d_adam_d_step"].flatMap(Int.init), min(step, adamG, adamD) >= 0 else {
            throw FormatError(file: fileName, "the 1-D GAN's metadata (step, Adam steps, RNG state) is missing or invalid")
        }
        gan.rng = rng
        gan.adamG.step = adamG
        gan.adamD.step = adamD
        gan.restoreStep(step)
        return gan
    }

    func emaName(_ name: String) -> String { name.replacingOccurrences(of: "gan1d.", with: "gan1d.ema.") }
}
