import Foundation
import GANFormats
import Layers
import NeuralNet

/// The DCGAN's checkpoint tensors, under the state-dict names of a PyTorch module with two
/// `nn.Sequential`s `G` and `D` of the spec (and `Q`, InfoGAN's head, with a code): `G.0.weight` [6272, 100], `G.4.weight` [128, 64, 4, 4]
/// (ConvTranspose2d: [in, out, kh, kw]), `D.0.weight` [64, 1, 4, 4] (Conv2d: [out, in, kh, kw]),
/// BatchNorm `weight`, `bias`, `running_mean`, `running_var` (F32) and `num_batches_tracked`
/// (I64, shape []); Adam's moments as `adam.G.0.weight.m` / `.v`; G's weight average as a whole
/// state dict `G_ema.*` (its running statistics are copies of G's, which it samples with).
extension DCGANModel: GANModel {
    public var kind: GANModelKind { .dcgan }
    public var generatorParameters: ParameterSet { generator.parameters }
    public var discriminatorParameters: ParameterSet { discriminator.parameters }

    public func makeImageGenerator(maxRows: Int) -> any LatentImageGenerator {
        DCGANImageGenerator(parameters: averagedGenerator ?? generator.parameters, buffers: generator.buffers,
                            architecture: configuration.dcganArchitecture, statistics: configuration.samplingStatistics,
                            maxRows: maxRows)
    }

    /// The networks under their state-dict prefixes: G, D and, with a code, Q.
    private var namedNetworks: [(prefix: String, net: Sequential)] {
        Self.namedNetworks(g: generator, d: discriminator, q: trainer.infoHead)
    }

    private static func namedNetworks(g: Sequential, d: Sequential, q: Sequential?) -> [(prefix: String, net: Sequential)] {
        [("G.", g), ("D.", d)] + (q.map { [("Q.", $0)] } ?? [])
    }

    public func checkpointTensors() -> [String: Tensor] {
        var tensors: [String: Tensor] = [:]
        for (prefix, net) in namedNetworks {
            let p = net.parameters
            for e in p.entries {
                tensors[prefix + e.name] = Tensor(shape: e.shape, floats: p.array(e, of: .values))
                tensors["adam.\(prefix)\(e.name).m"] = Tensor(shape: e.shape, floats: p.array(e, of: .firstMoment))
                tensors["adam.\(prefix)\(e.name).v"] = Tensor(shape: e.shape, floats: p.array(e, of: .secondMoment))
            }
            Self.addBuffers(net.buffers, prefix: prefix, to: &tensors)
        }
        if let average = averagedGenerator {
            for e in average.entries { tensors["G_ema." + e.name] = Tensor(shape: e.shape, floats: average.array(e, of: .values)) }
            Self.addBuffers(generator.buffers, prefix: "G_ema.", to: &tensors)
        }
        return tensors
    }

    private static func addBuffers(_ buffers: ParameterSet, prefix: String, to tensors: inout [String: Tensor]) {
        for e in buffers.entries {
            let values = buffers.array(e, of: .values)
            tensors[prefix + e.name] = e.name.hasSuffix("num_batches_tracked")
                ? Tensor(shape: e.shape, int64s: values.map { Int64($0) })
                : Tensor(shape: e.shape, floats: values)
        }
    }

    public func restoreTensors(from file: SafeTensors, header: Checkpoint.Header, fileName: String) throws {
        for (prefix, net) in namedNetworks {
            let p = net.parameters
            for e in p.entries {
                p.load(try Checkpoint.floats(file, prefix + e.name, shape: e.shape, fileName: fileName), into: e, block: .values)
                p.load(try Checkpoint.floats(file, "adam.\(prefix)\(e.name).m", shape: e.shape, fileName: fileName), into: e, block: .firstMoment)
                p.load(try Checkpoint.secondMoments(file, "adam.\(prefix)\(e.name).v", shape: e.shape, fileName: fileName),
                       into: e, block: .secondMoment)
            }
            for e in net.buffers.entries {
                net.buffers.load(try Self.buffer(file, prefix + e.name, shape: e.shape, fileName: fileName), into: e, block: .values)
            }
        }
        if let average = averagedGenerator {
            if header.configuration.generatorAverageDecay != nil {
                for e in average.entries {
                    average.load(try Checkpoint.floats(file, "G_ema." + e.name, shape: e.shape, fileName: fileName), into: e, block: .values)
                }
                averageUpdates = Int(header.metadata["g_ema_updates"] ?? "") ?? header.step
            } else {
                average.values.update(from: generator.parameters.values, count: generator.parameters.count)
                averageUpdates = header.step
            }
        }
    }

    /// Every tensor a DCGAN checkpoint must hold, with its dtype, shape and a sane value, checked
    /// before any model is built (`Checkpoint.read`).
    static func checkTensors(_ file: SafeTensors, configuration c: GANConfiguration, fileName: String) throws {
        let probe = (g: DCGAN.generator(maxBatch: 1, architecture: c.dcganArchitecture),
                     d: DCGAN.discriminator(maxBatch: 1, architecture: c.dcganArchitecture))
        let q = DCGAN.infoHead(maxBatch: 1, architecture: c.dcganArchitecture)
        for (prefix, net) in namedNetworks(g: probe.g, d: probe.d, q: q) {
            for e in net.parameters.entries {
                _ = try Checkpoint.floats(file, prefix + e.name, shape: e.shape, fileName: fileName)
                _ = try Checkpoint.floats(file, "adam.\(prefix)\(e.name).m", shape: e.shape, fileName: fileName)
                _ = try Checkpoint.secondMoments(file, "adam.\(prefix)\(e.name).v", shape: e.shape, fileName: fileName)
            }
            for e in net.buffers.entries { _ = try buffer(file, prefix + e.name, shape: e.shape, fileName: fileName) }
        }
        if c.generatorAverageDecay != nil {
            for e in probe.g.parameters.entries { _ = try Checkpoint.floats(file, "G_ema." + e.name, shape: e.shape, fileName: fileName) }
        }
    }

    /// A running statistic: F32 and finite (a variance also ≥ 0), or `num_batches_tracked` as I64 ≥ 0.
    static func buffer(_ file: SafeTensors, _ key: String, shape: [Int], fileName: String) throws -> [Float] {
        guard key.hasSuffix("num_batches_tracked") else {
            let values = try Checkpoint.floats(file, key, shape: shape, fileName: fileName)
            if key.hasSuffix("running_var"), let bad = values.firstIndex(where: { $0 < 0 }) {
                throw FormatError(file: fileName, "tensor '\(key)' holds a negative variance (\(values[bad]) at index \(bad))")
            }
            return values
        }
        guard let t = file.tensors[key] else { throw FormatError(file: fileName, "tensor '\(key)' is missing") }
        guard t.dtype == .i64, let counts = t.int64s else {
            throw FormatError(file: fileName, "tensor '\(key)' has dtype \(t.dtype.rawValue), expected I64")
        }
        guard t.shape == shape else { throw FormatError(file: fileName, "tensor '\(key)' has shape \(t.shape), expected \(shape)") }
        guard let n = counts.first, n >= 0 else { throw FormatError(file: fileName, "tensor '\(key)' is negative") }
        return [Float(n)]
    }
}

/// The DCGAN's G for sampling: its own network (and workspace for up to `maxRows` rows at a time),
/// whose weights `refresh` copies from the model's (the average's, when kept) and whose running
/// statistics from the live G; BatchNorm on the running or on each chunk's own statistics.
public final class DCGANImageGenerator: LatentImageGenerator {
    private let network: Sequential
    /// Where `refresh` copies from (nil: the weights were loaded once, from a checkpoint).
    private let source: (parameters: ParameterSet, buffers: ParameterSet)?
    private let statistics: SamplingStatistics
    /// `recompute` costs 2,048 G forwards (~30 GFLOP): the screen's digits redo it at most this
    /// often (seconds) and otherwise keep the last statistics; 0: at every refresh.
    public var recomputeInterval: Double = 0
    private var lastRecompute: Double?
    private let recomputeNoise: Matrix?
    private let arena: FloatArena?

    public init(parameters: ParameterSet, buffers: ParameterSet, architecture: DCGANArchitecture,
                statistics: SamplingStatistics, maxRows: Int) {
        network = DCGAN.generator(maxBatch: statistics == .recompute ? max(maxRows, SamplingStatistics.recomputeBatch) : maxRows,
                                  architecture: architecture)
        latentLayout = architecture.latentLayout
        precondition(network.parameters.count == parameters.count && network.buffers.count == buffers.count)
        source = (parameters, buffers)
        self.statistics = statistics
        (arena, recomputeNoise) = Self.noiseBuffer(statistics)
        refresh()
    }

    private static func noiseBuffer(_ statistics: SamplingStatistics) -> (FloatArena?, Matrix?) {
        guard statistics == .recompute else { return (nil, nil) }
        let arena = FloatArena(capacity: FloatArena.capacity(for: [(SamplingStatistics.recomputeBatch, DCGAN.latent)]))
        return (arena, arena.matrix(rows: SamplingStatistics.recomputeBatch, cols: DCGAN.latent))
    }

    /// G from a checkpoint's state dict under `prefix` ("G." or "G_ema."), checked as `Checkpoint.read` checks it.
    public init(checkpoint file: SafeTensors, prefix: String, architecture: DCGANArchitecture,
                statistics: SamplingStatistics, maxRows: Int, fileName: String) throws {
        network = DCGAN.generator(maxBatch: statistics == .recompute ? max(maxRows, SamplingStatistics.recomputeBatch) : maxRows,
                                  architecture: architecture)
        latentLayout = architecture.latentLayout
        source = nil
        self.statistics = statistics
        (arena, recomputeNoise) = Self.noiseBuffer(statistics)
        for e in network.parameters.entries {
            network.parameters.load(try Checkpoint.floats(file, prefix + e.name, shape: e.shape, fileName: fileName), into: e, block: .values)
        }
        for e in network.buffers.entries {
            network.buffers.load(try DCGANModel.buffer(file, prefix + e.name, shape: e.shape, fileName: fileName), into: e, block: .values)
        }
        recomputeStatistics()
    }

    public var latentSize: Int { DCGAN.latent }
    public let latentLayout: LatentLayout
    /// The running statistics it samples with (tests).
    var samplingBuffers: ParameterSet { network.buffers }

    public func refresh() {
        guard let (parameters, buffers) = source else { return }
        network.parameters.values.update(from: parameters.values, count: parameters.count)
        guard statistics == .recompute else {
            network.buffers.values.update(from: buffers.values, count: buffers.count)
            return
        }
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        if let last = lastRecompute, now - last < recomputeInterval { return }
        lastRecompute = now
        network.buffers.values.update(from: buffers.values, count: buffers.count)
        recomputeStatistics()
    }

    /// `recompute`: each batch's mean and unbiased variance, read back from running statistics set
    /// to 0 before its training-mode forward (they become momentum × the batch's), averaged.
    private func recomputeStatistics() {
        guard statistics == .recompute, let z = recomputeNoise else { return }
        let b = network.buffers
        let norms = network.layers.enumerated().compactMap { i, layer in (layer as? BatchNorm).map { (i, $0) } }
        let stats = norms.flatMap { i, _ in ["\(i).running_mean", "\(i).running_var"].compactMap(b.entry(named:)) }
        var sums = stats.map { [Double](repeating: 0, count: $0.count) }
        var rng = RandomGenerator(seed: SamplingStatistics.recomputeSeed)
        for _ in 0 ..< SamplingStatistics.recomputeBatches {
            for e in stats { (b.values + e.offset).update(repeating: 0, count: e.count) }
            latentLayout.fill(z, rng: &rng)
            network.forward(z, training: true)
            for (k, e) in stats.enumerated() {
                let momentum = Double(norms[k / 2].1.momentum)
                for j in 0 ..< e.count { sums[k][j] += Double(b.values[e.offset + j]) / momentum }
            }
        }
        for (k, e) in stats.enumerated() {
            for j in 0 ..< e.count { b.values[e.offset + j] = Float(sums[k][j] / Double(SamplingStatistics.recomputeBatches)) }
        }
    }

    public func generate(_ z: Matrix, into images: Matrix) {
        precondition(z.rows == images.rows && z.cols == DCGAN.latent)
        var start = 0
        while start < z.rows {
            let n = min(network.maxBatch, z.rows - start)
            // Training mode moves this copy's running statistics only; `refresh` resets them.
            images.rows(start, count: n).copy(from: network.forward(z.rows(start, count: n), training: statistics == .batch))
            start += n
        }
    }
}
