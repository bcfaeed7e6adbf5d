import ArgumentParser

struct Gan1D: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan1d", abstract: "Train the 1-D GAN of the original paper's figure alone.")
    func run() throws { throw ValidationError("not built yet") }
}
