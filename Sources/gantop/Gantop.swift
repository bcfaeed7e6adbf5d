import ArgumentParser

@main
struct Gantop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gantop",
        abstract: "Train a GAN on MNIST and watch it learn, live, in the terminal.",
        discussion: """
            With no subcommand gantop opens the full-screen UI (`gantop train`).
            Run `gantop train --headless` for scripts, CI and servers.
            """,
        subcommands: [Train.self, Gan1DCommand.self, Sample.self, Classifier.self, Bench.self],
        defaultSubcommand: Train.self
    )
}
