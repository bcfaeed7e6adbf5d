import NeuralNet

/// The GANs gantop trains (`--model`).
public enum GANModelKind: String, CaseIterable, Sendable {
    /// The reference MLP GAN (`MNISTGAN`).
    case mlp
    /// The reference DCGAN of issue #19 (`DCGANModel`).
    case dcgan

    /// Multiply–adds ×2 of one reference step at batch `b`.
    public func flopsPerStep(batch b: Int) -> Double {
        switch self {
        case .mlp:
            var c = GANConfiguration()
            c.batchSize = b
            return c.flopsPerStep
        case .dcgan:
            return DCGANModel.flopsPerStep(batch: b)
        }
    }
}

/// What the session, the headless run, the checkpoints, the quality meter and the benchmark
/// need of a GAN, whichever its networks.
public protocol GANModel: AnyObject {
    var kind: GANModelKind { get }
    var configuration: GANConfiguration { get set }
    var phaseTimer: PhaseTimer? { get set }
    @discardableResult func trainStep() -> StepStats
}

extension MNISTGAN: GANModel {
    public var kind: GANModelKind { .mlp }
}

extension DCGANModel: GANModel {
    public var kind: GANModelKind { .dcgan }
}
