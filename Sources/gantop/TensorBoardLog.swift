import Foundation
import GANTraining
import TensorBoardFormat

/// `--tensorboard DIR`: a run's numbers as a TensorBoard event file, for TensorBoard or `gantop watch`.
///
/// Tags: `d_loss`, `g_loss`, `d_real`, `d_fake` every step; `quality/mnist_score`, `quality/confidence`,
/// `quality/class_entropy`, `quality/classes_covered` when the quality meter reads, and
/// `quality/frechet_distance` at saves; the 4×4 sample grid (`samples`, the PNG gantop saves) every
/// `imageEvery` steps, at saves and at the end; the configuration and every change made from the
/// keyboard as text (`hyperparameters`). The writer only buffers on the training thread and goes
/// to disk every few seconds and at the end.
final class TensorBoardLog {
    static let imageEvery = 500
    let writer: EventFileWriter
    private var lastImageStep: Int?

    init(directory: String) throws {
        writer = try EventFileWriter(directory: URL(fileURLWithPath: directory))
    }

    func start(_ gan: any GANModel, seed: UInt64, resumedFrom: String?) {
        let c = gan.configuration
        var text = (gan.kind == .mlp ? "" : "model \(gan.kind.rawValue), ") + "seed \(seed), batch \(c.batchSize), lr_D \(c.learningRateD), lr_G \(c.learningRateG), "
            + "loss \(c.loss.description), recipe: \(c.recipeDescription)"
        if let resumedFrom { text += ", resumed from \(resumedFrom)" }
        writer.addText(tag: "hyperparameters", text: text, step: Int64(gan.step))
    }

    func record(_ stats: StepStats) {
        let step = Int64(stats.step)
        for (tag, value) in [("d_loss", stats.dLoss), ("g_loss", stats.gLoss), ("d_real", stats.dReal), ("d_fake", stats.dFake)]
        where value.isFinite {  // a lone D or G update leaves the other's numbers NaN
            writer.addScalar(tag: tag, value: Double(value), step: step)
        }
    }

    func record(_ m: QualityMeasurement, step: Int) {
        writer.addScalar(tag: "quality/mnist_score", value: m.score, step: Int64(step))
        writer.addScalar(tag: "quality/confidence", value: m.confidence, step: Int64(step))
        writer.addScalar(tag: "quality/class_entropy", value: m.classEntropy, step: Int64(step))
        writer.addScalar(tag: "quality/classes_covered", value: Double(m.coveredClasses), step: Int64(step))
    }

    func recordFrechetDistance(_ fd: Double, step: Int) {
        writer.addScalar(tag: "quality/frechet_distance", value: fd, step: Int64(step))
    }

    /// A change made from the keyboard (the same name and value as events.csv).
    func recordChange(step: Int, event: String, value: String) {
        writer.addText(tag: "hyperparameters", text: "\(event) = \(value)", step: Int64(step))
    }

    /// Whether a sample grid is due at `step`.
    func wantsSamples(at step: Int, force: Bool = false) -> Bool {
        lastImageStep != step && (force || step % Self.imageEvery == 0)
    }

    /// `digits`: the 16 fixed latents' images, 784 values each in [-1, 1].
    func recordSamples(_ digits: [Float], step: Int) {
        let grid = SampleGrid.image(digits: digits, columns: 4)
        writer.addImage(tag: "samples", png: grid.encode(), width: grid.width, height: grid.height, step: Int64(step), colorspace: 1)
        lastImageStep = step
    }

    /// Writes what is buffered; a failure is reported, not fatal (the run's own files are intact).
    func finish() {
        do { try writer.flush() } catch { printError("gantop: --tensorboard: \(error)") }
    }
}
