import ArgumentParser

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate digits from a checkpoint into .npy / PNG.")
    func run() throws { throw ValidationError("not built yet") }
}
