import ArgumentParser
import Foundation
import NeuralNet

@main
struct Gantop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gantop",
        abstract: "Train a GAN on MNIST and watch it learn, live, in the terminal.",
        discussion: """
            With no subcommand gantop opens the full-screen UI (`gantop train`).
            Run `gantop train --headless` for scripts, CI and servers.
            """,
        subcommands: [Train.self, Gan1DCommand.self, Sample.self, Inspect.self, Watch.self, Classifier.self, Bench.self],
        defaultSubcommand: Train.self
    )

    /// Refuses a kernel path the CPU lacks (`GANTOP_KERNELS`) before anything runs on another one.
    static func main() {
        if case .failure(let refusal) = KernelPath.fromEnvironment() {
            FileHandle.standardError.write(Data("gantop: \(refusal)\n".utf8))
            Foundation.exit(2)
        }
        main(nil)
    }
}
