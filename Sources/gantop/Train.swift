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

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop at this step, counted from the start of the run (also when resuming).", valueName: "n"))
    var steps: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop after this many epochs.", valueName: "e"))
    var epochs: Int?

    @Option(parsing: .unconditional, help: "Random seed (chosen and printed when omitted).")
    var seed: UInt64?

    @Option(name: .customLong("log-every"), parsing: .unconditional, help: ArgumentHelp("Print a line every K steps.", valueName: "k"))
    var logEvery = 100

    @Flag(help: "Print JSON lines instead of text.")
    var json = false

    @Flag(name: .customLong("no-color"), help: "No colours in the full-screen UI (also: NO_COLOR set).")
    var noColor = false

    @Option(help: ArgumentHelp("Record the full-screen session to this file as an asciinema v2 recording (replay with `asciinema play`); replaced if it exists.", valueName: "file.cast"))
    var record: String?

    @Option(help: ArgumentHelp("Also log the run as a TensorBoard event file in this directory (losses, quality, the sample grid, changes).", valueName: "dir"))
    var tensorboard: String?

    @Option(help: "The 1-D panel's data distribution: \(Target1D.allCases.map(\.rawValue).joined(separator: ", ")) (default normal).")
    var target: Target1D?

    @OptionGroup var data: DataOptions
    @OptionGroup var hyper: HyperParameterOptions
    @OptionGroup var saving: SaveOptions
    @OptionGroup var quality: QualityOptions

    func validate() throws {
        if let s = steps, s < 1 { throw ValidationError("--steps must be at least 1 (got \(s))") }
        if let e = epochs, e < 1 { throw ValidationError("--epochs must be at least 1 (got \(e))") }
        if steps != nil && epochs != nil { throw ValidationError("give --steps or --epochs, not both") }
        if logEvery < 1 { throw ValidationError("--log-every must be at least 1 (got \(logEvery))") }
        if let record {
            if headless { throw ValidationError("--record records the full-screen UI; it cannot be used with --headless") }
            try OutputPath.check(record, option: "--record", inPlace: true)
        }
    }

    func run() throws {
        if !headless {
            guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
                throw Terminal.OpenError.notATerminal
            }
        }
        // The UI always shows the 1-D GAN; headless runs only carry one along from a checkpoint.
        let prepared = try PreparedRun.make(hyper: hyper, seed: seed, data: data, resume: saving.resume,
                                            target: target ?? (headless ? nil : .normal),
                                            batchCapacity: headless ? nil : SessionModel.batchSizeChoices.last)
        let output = RunOutput(directory: saving.runDirectory)
        let tensorboardLog = try tensorboard.map { try TensorBoardLog(directory: $0) }
        if headless {
            let code = try HeadlessRun(prepared: prepared, output: output, saving: saving,
                                       meter: try quality.meter(for: prepared.gan, data: data), qualityEvery: quality.every,
                                       stopAt: stopCondition,
                                       logEvery: logEvery, json: json, tensorboard: tensorboardLog).execute()
            if code != 0 { throw ExitCode(code) }
        } else {
            try runFullScreen(prepared, output: output, tensorboard: tensorboardLog)
        }
    }

    private func runFullScreen(_ prepared: PreparedRun, output: RunOutput, tensorboard: TensorBoardLog?) throws {
        let gan = prepared.gan
        let saveEvery = saving.saveEvery
        let noSaveOnQuit = saving.noSaveOnQuit
        tensorboard?.start(gan, seed: gan.seed, resumedFrom: prepared.resumedFrom)
        defer { tensorboard?.finish() }
        let model = SessionModel(
            gan: gan, latents: prepared.latents, gan1d: prepared.gan1d, qualityMeter: try quality.meter(for: gan, data: data),
            saver: { model in try Saving.save(model, to: output, tensorboard: tensorboard) },
            onStep: { stats, model in
                output.record(stats)
                let saveNow = saveEvery.map { stats.step % $0 == 0 } == true
                if let tensorboard {
                    tensorboard.record(stats)
                    if let (step, m) = model.lastMeasurement, step == stats.step { tensorboard.record(m, step: step) }
                    if tensorboard.wantsSamples(at: stats.step, force: saveNow) {
                        tensorboard.recordSamples(model.currentDigits().flatMap { $0 }, step: stats.step)
                    }
                }
                if saveNow { model.save() }
            },
            onFinish: { model in
                if let tensorboard, tensorboard.wantsSamples(at: model.gan.step, force: true) {
                    tensorboard.recordSamples(model.currentDigits().flatMap { $0 }, step: model.gan.step)
                }
                if !noSaveOnQuit, output.lastSavedStep != model.gan.step { model.save() }
            },
            onEvent: { step, event, value in
                output.recordEvent(step: step, event: event, value: value)
                tensorboard?.recordChange(step: step, event: event, value: value)
            })
        model.qualityEvery = max(quality.every, 1)
        if let resumed = prepared.resumedFrom { model.setMessage("resumed from \(resumed) at step \(gan.step)") }
        var options = TrainingWorker.Options()
        options.stopAtStep = steps
        let worker = TrainingWorker(model: model, channel: SessionChannel(), options: options)
        let colorsAllowed = !noColor && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        let quitMessage = noSaveOnQuit ? "quitting…" : "quitting: saving the run (checkpoint, samples, Fréchet distance)…"
        let ending = try FullScreenApp(worker: worker, colorsAllowed: colorsAllowed, recordingPath: record,
                                       quitMessage: quitMessage).run()
        // The worker has stopped and the terminal is given back: what went wrong can be said now.
        output.finish(step: gan.step)
        let failures = [Saving.failureSummary(output), ending.recordingFailure.map { "gantop: recording failed: \($0)" }]
            .compactMap { $0 }
        failures.forEach(printError)
        if !failures.isEmpty { throw ExitCode(1) }
        if let signal = TerminationSignal.pending { throw ExitCode(128 + signal) }
    }

    private var stopCondition: HeadlessRun.Stop {
        if let epochs { return .epochs(epochs) }
        return .steps(steps ?? 10_000)
    }
}

/// Saving from the session (key `w`, --save-every, quit): one place that knows what a save writes,
/// and how a run in which saves failed says so at its end.
enum Saving {
    static func save(_ model: SessionModel, to output: RunOutput, tensorboard: TensorBoardLog?) throws -> String {
        let (files, fd) = try output.save(gan: model.gan, latents: model.latents, digits: model.currentDigits().flatMap { $0 },
                                          gan1d: model.gan1d, meter: model.qualityMeter)
        if let fd {
            model.showFrechetDistance(Float(fd))
            tensorboard?.recordFrechetDistance(fd, step: model.gan.step)
        }
        return "saved step \(model.gan.step) to \(files[0].deletingLastPathComponent().path)/"
            + (fd.map { String(format: " · Fréchet distance %.1f", $0) } ?? "")
    }

    /// One line for the end of a run in which saves failed (nil if none did): which ones, the last
    /// error, and what is on disk instead.
    static func failureSummary(_ output: RunOutput) -> String? {
        let failed = output.failedSaves
        guard let last = failed.last else { return nil }
        let kept = output.lastSavedStep.map { "; the last good save is step \($0) in \(output.directory.path)/" } ?? ""
        if failed.count == 1 { return "gantop: save failed at step \(last.step): \(last.error)\(kept)" }
        let steps = failed.map { String($0.step) }
        let listed = steps.count <= 6 ? steps : steps.prefix(3) + ["…"] + steps.suffix(2)
        return "gantop: \(failed.count) of \(output.saveAttempts) saves failed (steps \(listed.joined(separator: ", "))); "
            + "the last error: \(last.error)\(kept.isEmpty ? "; nothing was saved" : kept)"
    }
}

/// An output file named on the command line (`--record`, `sample --out`, `--png`, …), checked before
/// any work starts: a path that can never be written is a one-line error at once, not after the
/// training or sampling it was to hold, and not a session that silently records nothing.
enum OutputPath {
    /// - Parameter inPlace: the file is opened and written where it is (a recording), so an existing
    ///   one must itself be writable; otherwise it is replaced atomically and only its directory matters.
    static func check(_ path: String, option: String, inPlace: Bool = false) throws {
        guard !path.isEmpty else { throw ValidationError("\(option) must not be empty") }
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard !isDirectory.boolValue else { throw ValidationError("\(option) \(path): is a directory, not a file") }
            guard !inPlace || access(path, W_OK) == 0 else { throw ValidationError("\(option) \(path): is not writable") }
            if inPlace { return }
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard fm.fileExists(atPath: parent, isDirectory: &isDirectory) else {
            throw ValidationError("\(option) \(path): the directory \(parent) does not exist")
        }
        guard isDirectory.boolValue else { throw ValidationError("\(option) \(path): \(parent) is a file, not a directory") }
        guard access(parent, W_OK) == 0 else { throw ValidationError("\(option) \(path): the directory \(parent) is not writable") }
    }
}
