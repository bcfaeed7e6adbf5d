import Foundation
import GANTraining

/// Headless training: progress lines (text or JSON) on stdout, nothing else.
struct HeadlessRun {
    enum Stop { case steps(Int), epochs(Int) }

    let configuration: GANConfiguration
    let images: MNISTImages
    let seed: UInt64
    let seedWasChosen: Bool
    let stopAt: Stop
    let logEvery: Int
    let json: Bool

    func execute() throws {
        let gan = MNISTGAN(configuration: configuration, images: images, seed: seed)
        if !json {
            let how = seedWasChosen ? " (chosen; pass --seed \(seed) to repeat)" : ""
            printLine("gantop: training the MNIST GAN on \(images.count) images, batch \(configuration.batchSize), seed \(seed)\(how)")
        }
        let start = Date()
        var windowStart = start
        var windowSteps = 0
        var last: StepStats?
        while !done(gan) {
            let stats = gan.trainStep()
            last = stats
            windowSteps += 1
            guard stats.isFinite else {
                throw DataError("training diverged at step \(stats.step): d_loss \(stats.dLoss), g_loss \(stats.gLoss)")
            }
            if stats.step % logEvery == 0 {
                let now = Date()
                let rate = Double(windowSteps) / max(now.timeIntervalSince(windowStart), 1e-9)
                printLine(ProgressLine(stats: stats, stepsPerSecond: rate, seed: seed).render(json: json))
                windowStart = now
                windowSteps = 0
            }
        }
        let elapsed = Date().timeIntervalSince(start)
        if let last {
            printLine(ProgressLine.summary(stats: last, seconds: elapsed, seed: seed, json: json))
        }
    }

    private func done(_ gan: MNISTGAN) -> Bool {
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

    static func summary(stats: StepStats, seconds: Double, seed: UInt64, json: Bool) -> String {
        let rate = Double(stats.step) / max(seconds, 1e-9)
        if json {
            return "{\"event\":\"summary\",\"step\":\(stats.step),\"epoch\":\(stats.epoch),\"d_loss\":\(jsonNumber(stats.dLoss)),"
                + "\"g_loss\":\(jsonNumber(stats.gLoss)),\"d_real\":\(jsonNumber(stats.dReal)),\"d_fake\":\(jsonNumber(stats.dFake)),"
                + "\"seconds\":\(jsonNumber(Float(seconds))),\"steps_per_sec\":\(jsonNumber(Float(rate))),\"seed\":\(seed)}"
        }
        return "done: step \(stats.step) (epoch \(stats.epoch)) in \(fixed(Float(seconds), 1)) s, \(fixed(Float(rate), 1)) steps/s; "
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
