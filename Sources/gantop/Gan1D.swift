import ArgumentParser
import Foundation
import GANTraining

extension Target1D: ExpressibleByArgument {}

struct Gan1DCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan1d", abstract: "Train the 1-D GAN of the original paper's figure alone.")

    @Option(help: "Data distribution: \(Target1D.allCases.map(\.rawValue).joined(separator: ", ")).")
    var target: Target1D = .normal

    @Option(parsing: .unconditional, help: ArgumentHelp("Steps to train.", valueName: "n"))
    var steps = 10_000

    @Option(parsing: .unconditional, help: "Random seed (chosen and printed when omitted).")
    var seed: UInt64?

    @Option(name: .customLong("log-every"), parsing: .unconditional, help: ArgumentHelp("Print (and measure KS/JS) every K steps.", valueName: "k"))
    var logEvery = 500

    @Flag(help: "Print JSON lines instead of text.")
    var json = false

    func validate() throws {
        if steps < 1 { throw ValidationError("--steps must be at least 1 (got \(steps))") }
        if logEvery < 1 { throw ValidationError("--log-every must be at least 1 (got \(logEvery))") }
    }

    func run() throws {
        let (seed, chosen) = resolveSeed(seed)
        let gan = Gan1D(target: target, seed: seed)
        if !json {
            printLine("gantop gan1d: target \(target), seed \(seed)\(chosen ? " (chosen)" : "")")
        }
        var firstConverged: Int?
        var trainingSeconds = 0.0
        for step in 1 ... steps {
            let start = DispatchTime.now().uptimeNanoseconds
            let (dLoss, gLoss) = gan.trainStep()
            trainingSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            guard step % logEvery == 0 || step == steps else { continue }
            let figure = Gan1DFigure.compute(gan, bins: 100)
            if figure.ks < 0.05 && firstConverged == nil { firstConverged = step }
            if json {
                printLine("{\"step\":\(step),\"d_loss\":\(jsonNumber(dLoss)),\"g_loss\":\(jsonNumber(gLoss)),"
                          + "\"ks\":\(jsonNumber(figure.ks)),\"js\":\(jsonNumber(figure.js))}")
            } else {
                printLine("step \(pad(step, 6))  d_loss \(fixed(dLoss))  g_loss \(fixed(gLoss))  KS \(fixed(figure.ks))  JS \(fixed(figure.js, 5))")
            }
        }
        let rate = Double(steps) / max(trainingSeconds, 1e-9)
        let verdict = firstConverged.map { "KS first fell below 0.05 at step \($0)" } ?? "KS never fell below 0.05"
        if json {
            printLine("{\"event\":\"summary\",\"target\":\"\(target.rawValue)\",\"seed\":\(seed),\"steps\":\(steps),"
                      + "\"first_ks_below_0_05\":\(firstConverged.map(String.init) ?? "null"),\"steps_per_sec\":\(jsonNumber(Float(rate)))}")
        } else {
            printLine("done: \(verdict) (checked every \(logEvery) steps); \(fixed(Float(rate), 0)) steps/s")
        }
    }
}
