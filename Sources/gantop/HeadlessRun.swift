import Foundation
import GANFormats
import GANTraining

/// Headless training: progress lines (text or JSON) on stdout, saves into the run directory.
struct HeadlessRun {
    enum Stop { case steps(Int), epochs(Int) }

    let prepared: PreparedRun
    let output: RunOutput
    let saving: SaveOptions
    let meter: QualityMeter?
    let qualityEvery: Int
    let stopAt: Stop
    let logEvery: Int
    let json: Bool
    let tensorboard: TensorBoardLog?

    /// Trains until the stop condition or a termination signal; returns the exit status.
    func execute() throws -> Int32 {
        let gan = prepared.gan
        let seed = gan.seed
        TerminationSignal.install()
        if !json {
            let how = prepared.seedWasChosen ? " (chosen; pass --seed \(seed) to repeat)" : ""
            let from = prepared.resumedFrom.map { ", resuming \($0) at step \(gan.step)" } ?? ""
            printLine("gantop: training the \(gan.kind == .mlp ? "MNIST GAN" : "DCGAN") on \(gan.images.count) images, batch \(gan.configuration.batchSize), seed \(seed)\(how)\(from)")
            printLine("gantop: \(gan.configuration.recipeDescription)")
        }
        tensorboard?.start(gan, seed: seed, resumedFrom: prepared.resumedFrom)
        defer { tensorboard?.finish() }
        let samples = tensorboard.map { _ in DigitSampler(model: gan, latents: prepared.latents,
                                                          count: prepared.latents.count / gan.configuration.latentSize) }
        let start = Date()
        let startStep = gan.step
        var windowStart = start
        var windowSteps = 0
        var last: StepStats?
        while !done(gan) && TerminationSignal.pending == nil {
            let stats = gan.trainStep()
            last = stats
            windowSteps += 1
            output.record(stats)
            tensorboard?.record(stats)
            let stateBroken = (stats.step % MNISTGAN.stateCheckInterval == 0 || saving.saveEvery.map { stats.step % $0 == 0 } == true)
                && !gan.stateIsFinite
            guard stats.isFinite && !stateBroken else {
                let what = stats.isFinite ? "the weights or Adam's moments overflowed" : "d_loss \(stats.dLoss), g_loss \(stats.gLoss)"
                printError("gantop: training diverged at step \(stats.step) (\(what)); the last good checkpoint, if any, is kept")
                return 1
            }
            if stats.step % logEvery == 0 {
                let now = Date()
                let rate = Double(windowSteps) / max(now.timeIntervalSince(windowStart), 1e-9)
                printLine(ProgressLine(stats: stats, stepsPerSecond: rate, seed: seed).render(json: json))
                windowStart = now
                windowSteps = 0
            }
            if let meter, stats.step % qualityEvery == 0 { report(meter.measure(step: stats.step), step: stats.step) }
            let saveNow = saving.saveEvery.map { stats.step % $0 == 0 } == true
            if let tensorboard, let samples, tensorboard.wantsSamples(at: stats.step, force: saveNow) {
                tensorboard.recordSamples(samples.generate(), step: stats.step)
            }
            if saveNow { save(gan) }
        }
        let elapsed = Date().timeIntervalSince(start)
        if let tensorboard, let samples, gan.step > startStep, tensorboard.wantsSamples(at: gan.step, force: true) {
            tensorboard.recordSamples(samples.generate(), step: gan.step)
        }
        if !saving.noSaveOnQuit && gan.step > startStep && output.lastSavedStep != gan.step { save(gan) }
        output.finish(step: gan.step)
        if let last {
            printLine(ProgressLine.summary(stats: last, steps: gan.step - startStep, seconds: elapsed, seed: seed, json: json))
        } else if !json {
            printLine("gantop: nothing to do, the run is already at step \(gan.step)")
        }
        let signal = TerminationSignal.pending
        if let signal { printError("gantop: stopped by signal \(signal) at step \(gan.step)") }
        // Each failure was reported as it happened; the end says it again with what is on disk
        // instead, unless that would only repeat the one line already printed.
        if let summary = Saving.failureSummary(output) {
            if output.failedSaves.count > 1 || output.lastSavedStep != nil { printError(summary) }
            return 1
        }
        return signal.map { 128 + $0 } ?? 0
    }

    private func report(_ m: QualityMeasurement, step: Int) {
        tensorboard?.record(m, step: step)
        if json {
            printLine("{\"step\":\(step),\(m.jsonFields)}")
        } else {
            let classes = m.classHistogram.map(String.init).joined(separator: " ")
            printLine("quality at step \(step): MNIST score \(fixed(Float(m.score), 2)), classes [\(classes)], confidence \(fixed(Float(m.confidence), 3))"
                      + (m.collapseWarning.map { "; WARNING: \($0)" } ?? ""))
        }
    }

    /// A failed save is reported and training goes on (the previous files are intact); the run
    /// then ends with status 1.
    private func save(_ gan: any GANModel) {
        do {
            let digits = DigitSampler(model: gan, latents: prepared.latents, count: prepared.latents.count / gan.configuration.latentSize).generate()
            let (files, fd) = try output.save(gan: gan, latents: prepared.latents, digits: digits,
                                              gan1d: prepared.gan1d, meter: meter)
            if let fd { tensorboard?.recordFrechetDistance(fd, step: gan.step) }
            if json {
                let fdField = fd.map { ",\"frechet_distance\":\(jsonNumber(Float($0)))" } ?? ""
                printLine("{\"event\":\"saved\",\"step\":\(gan.step),\"checkpoint\":\(JSON.quote(files[0].path))\(fdField)}")
            } else {
                printLine("saved step \(gan.step): \(files[0].path)" + (fd.map { String(format: " (Fréchet distance %.2f)", $0) } ?? ""))
            }
        } catch {
            printError("gantop: save failed at step \(gan.step): \(error)")
        }
    }

    private func done(_ gan: any GANModel) -> Bool {
        switch stopAt {
        case .steps(let n): gan.step >= n
        case .epochs(let e): gan.sampler.epoch > e || (gan.sampler.epoch == e && gan.sampler.position == gan.images.count)
        }
    }
}

/// One progress line, as text or JSON.
struct ProgressLine {
    let stats: StepStats
    let stepsPerSecond: Double
    let seed: UInt64

    func render(json: Bool) -> String {
        if json {
            return "{\"step\":\(stats.step),\"epoch\":\(stats.epoch),\"d_loss\":\(jsonNumber(stats.dLoss)),"
                + "\"g_loss\":\(jsonNumber(stats.gLoss)),\"d_real\":\(jsonNumber(stats.dReal)),"
                + "\"d_fake\":\(jsonNumber(stats.dFake)),\"steps_per_sec\":\(jsonNumber(Float(stepsPerSecond))),\"seed\":\(seed)}"
        }
        return "step \(pad(stats.step, 7))  epoch \(pad(stats.epoch, 3))  d_loss \(fixed(stats.dLoss))  "
            + "g_loss \(fixed(stats.gLoss))  D(x) \(fixed(stats.dReal, 3))  D(G(z)) \(fixed(stats.dFake, 3))  "
            + "\(fixed(Float(stepsPerSecond), 1)) steps/s"
    }

    static func summary(stats: StepStats, steps: Int, seconds: Double, seed: UInt64, json: Bool) -> String {
        let rate = Double(steps) / max(seconds, 1e-9)
        if json {
            return "{\"event\":\"summary\",\"step\":\(stats.step),\"epoch\":\(stats.epoch),\"d_loss\":\(jsonNumber(stats.dLoss)),"
                + "\"g_loss\":\(jsonNumber(stats.gLoss)),\"d_real\":\(jsonNumber(stats.dReal)),\"d_fake\":\(jsonNumber(stats.dFake)),"
                + "\"seconds\":\(jsonNumber(Float(seconds))),\"steps_per_sec\":\(jsonNumber(Float(rate))),\"seed\":\(seed)}"
        }
        return "done: step \(stats.step) (epoch \(stats.epoch)), \(steps) steps in \(fixed(Float(seconds), 1)) s, \(fixed(Float(rate), 1)) steps/s; "
            + "final d_loss \(fixed(stats.dLoss)) g_loss \(fixed(stats.gLoss)) D(x) \(fixed(stats.dReal, 3)) D(G(z)) \(fixed(stats.dFake, 3)); seed \(seed)"
    }
}

/// JSON has no NaN or Infinity: those become null.
func jsonNumber(_ x: Float) -> String { x.isFinite ? "\(x)" : "null" }

func fixed(_ x: Float, _ digits: Int = 4) -> String {
    guard x.isFinite else { return "\(x)" }
    return String(format: "%.\(digits)f", Double(x))
}

func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}
