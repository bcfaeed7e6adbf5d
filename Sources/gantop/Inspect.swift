import ArgumentParser
import Foundation
import GANFormats
import TensorBoardFormat

/// `gantop inspect LOGDIR`: what `gantop watch` would find there, like `tensorboard --inspect`.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the TensorBoard runs under a log directory: tags by kind, steps, and the D/G loss and sample tags picked.")

    @Argument(help: ArgumentHelp("A TensorBoard log directory (every directory under it holding *tfevents* files is a run).", valueName: "logdir"))
    var logdir: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(name: .customLong("d-tag"), help: ArgumentHelp("The scalar tag to use as D's loss (default: picked by name).", valueName: "tag"))
    var dTag: String?

    @Option(name: .customLong("g-tag"), help: ArgumentHelp("The scalar tag to use as G's loss (default: picked by name).", valueName: "tag"))
    var gTag: String?

    func run() throws {
        let url = URL(fileURLWithPath: logdir)
        let runs = try discoverRuns(under: url)
        guard !runs.isEmpty else {
            throw FormatError(file: logdir, "no TensorBoard event files (*tfevents*) in it or below it")
        }
        let summaries = try runs.map { try RunSummary.read($0, dTag: dTag, gTag: gTag) }
        if json {
            printLine(RunSummary.json(summaries, logdir: logdir))
        } else {
            printLine(summaries.map { $0.describe() }.joined(separator: "\n\n"))
        }
    }
}
