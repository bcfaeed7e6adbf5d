import ArgumentParser
import Foundation
import GANTraining
import GANView
import TerminalUI
import TrainingSession

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the MNIST GAN (full-screen UI, or --headless).")

    @Flag(help: "Print progress lines instead of opening the full-screen UI.")
    var headless = false

    @Option(help: ArgumentHelp("Stop at this step (counted from the start of the run).", valueName: "n"))
    var steps: Int?

    @Option(help: ArgumentHelp("Stop after this many epochs.", valueName: "e"))
    var epochs: Int?

    @Option(help: "Random seed (chosen and printed when omitted).")
    var seed: UInt64?

    @Option(name: .customLong("log-every"), help: ArgumentHelp("Print a line every K steps.", valueName: "k"))
    var logEvery = 100

    @Flag(help: "Print JSON lines instead of text.")
    var json = false

    @OptionGroup var data: DataOptions
    @OptionGroup var hyper: HyperParameterOptions

    func validate() throws {
        if let s = steps, s < 1 { throw ValidationError("--steps must be at least 1 (got \(s))") }
        if let e = epochs, e < 1 { throw ValidationError("--epochs must be at least 1 (got \(e))") }
        if steps != nil && epochs != nil { throw ValidationError("give --steps or --epochs, not both") }
        if logEvery < 1 { throw ValidationError("--log-every must be at least 1 (got \(logEvery))") }
    }

    @Flag(name: .customLong("no-color"), help: "No colours in the full-screen UI (also: NO_COLOR set).")
    var noColor = false

    func run() throws {
        if !headless {
            guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
                throw Terminal.OpenError.notATerminal
            }
        }
        var configuration = GANConfiguration()
        hyper.apply(to: &configuration)
        let (seed, chosen) = resolveSeed(seed)
        let images = try data.loadTrainingImages()
        if !headless {
            try runFullScreen(configuration: configuration, images: images, seed: seed)
            return
        }
        let run = HeadlessRun(configuration: configuration, images: images, seed: seed, seedWasChosen: chosen,
                              stopAt: stopCondition, logEvery: logEvery, json: json)
        try run.execute()
    }

    private func runFullScreen(configuration: GANConfiguration, images: MNISTImages, seed: UInt64) throws {
        let gan = MNISTGAN(configuration: configuration, images: images, seed: seed)
        let latents = DigitSampler.fixedLatents(count: FrameSnapshot.digitCount, size: configuration.latentSize, seed: seed)
        let model = SessionModel(gan: gan, latents: latents)
        var options = TrainingWorker.Options()
        options.stopAtStep = steps
        let worker = TrainingWorker(model: model, channel: SessionChannel(), options: options)
        let colorsAllowed = !noColor && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        try FullScreenApp(worker: worker, colorsAllowed: colorsAllowed).run()
    }

    private var stopCondition: HeadlessRun.Stop {
        if let epochs { return .epochs(epochs) }
        return .steps(steps ?? 10_000)
    }
}
