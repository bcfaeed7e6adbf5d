import ArgumentParser
import Foundation
import GANFormats
import GANTraining
import NeuralNet

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate digits from a checkpoint into .npy (and optionally a PNG grid).")

    enum DType: String, ExpressibleByArgument, CaseIterable { case u8, f32 }

    @Option(help: ArgumentHelp("The checkpoint to sample from.", valueName: "file"))
    var checkpoint: String

    @Option(parsing: .unconditional, help: ArgumentHelp("How many digits.", valueName: "n"))
    var count = 16

    @Option(help: ArgumentHelp("Where to write the digits (.npy, shape (N, 28, 28)).", valueName: "file.npy"))
    var out: String

    @Option(parsing: .unconditional, help: "Seed of the latent vectors.")
    var seed: UInt64 = 0

    @Option(help: "u8: pixel = round((x+1)·127.5); f32: values in [-1, 1].")
    var dtype: DType = .u8

    @Option(name: .customLong("latents-out"), help: ArgumentHelp("Also write the latents used, f32 (N, 100).", valueName: "z.npy"))
    var latentsOut: String?

    @Option(help: ArgumentHelp("Also write the digits as a grid picture.", valueName: "grid.png"))
    var png: String?

    @Flag(name: .customLong("raw-g"), help: "Sample from G's last weights even when the checkpoint has their moving average (g_ema.*), which is used by default.")
    var rawGenerator = false

    @Flag(help: "Also print the quality meter's metrics (MNIST score, classes, Fréchet distance) for these digits.")
    var score = false

    @Option(help: ArgumentHelp("The checkpoint's model, mlp or dcgan (default: what its header says; a mismatch is an error).", valueName: "model"))
    var model: GANModelKind?

    @Option(name: .customLong("sample-bn"), help: ArgumentHelp("The DCGAN's BatchNorm statistics: running (eval mode), batch (chunks of 100) or recompute; default: the checkpoint's.", valueName: "stats"))
    var samplingStatistics: SamplingStatistics?

    func validate() throws {
        guard (1 ... 1_000_000).contains(count) else { throw ValidationError("--count must be between 1 and 1,000,000 (got \(count))") }
        try OutputPath.check(out, option: "--out")
        if let png { try OutputPath.check(png, option: "--png") }
        if let latentsOut { try OutputPath.check(latentsOut, option: "--latents-out") }
    }

    func run() throws {
        let url = URL(fileURLWithPath: checkpoint)
        let (header, file) = try Checkpoint.read(url)
        if let model, model != header.model {
            throw FormatError(file: url.lastPathComponent, "is a checkpoint of the \(header.model.rawValue) model, not the \(model.rawValue) (drop --model, or pass --model \(header.model.rawValue))")
        }
        let c = header.configuration
        let useAverage = c.generatorAverageDecay != nil && !rawGenerator
        let generator: any LatentImageGenerator
        switch header.model {
        case .mlp:
            let mlp = MLP(layers: c.generatorLayers, maxRows: min(count, 1000), namePrefix: useAverage ? "g_ema." : "g.",
                          panelled: true)
            for e in mlp.parameters.entries {
                mlp.parameters.load(try Checkpoint.floats(file, e.name, shape: e.shape, fileName: url.lastPathComponent),
                                    into: e, block: .values)
            }
            generator = MLPImageGenerator(mlp, maxRows: min(count, 1000))
        case .dcgan:
            generator = try DCGANImageGenerator(checkpoint: file, prefix: useAverage ? "G_ema." : "G.", architecture: c.dcganArchitecture,
                                                statistics: samplingStatistics ?? c.samplingStatistics,
                                                maxRows: min(count, 100), fileName: url.lastPathComponent)
        }
        let latents = DigitSampler.fixedLatents(count: count, configuration: c, seed: seed)
        let images = SampleExport.generate(generator: generator, latents: latents, count: count)
        let shape = [count, MNISTImages.side, MNISTImages.side]
        let tensor: Tensor = switch dtype {
        case .f32: Tensor(shape: shape, floats: images)
        case .u8: Tensor(shape: shape, uint8s: images.map(SampleGrid.byte))
        }
        try NPY.write(tensor, to: URL(fileURLWithPath: out))
        if let latentsOut {
            try NPY.write(Tensor(shape: [count, c.latentSize], floats: latents), to: URL(fileURLWithPath: latentsOut))
        }
        if let png {
            try SampleGrid.image(digits: images, columns: Int(Double(count).squareRoot().rounded(.up))).write(to: URL(fileURLWithPath: png))
        }
        printLine("wrote \(count) digits from step \(header.step)\(useAverage ? " (G's weight average)" : "") to \(out)")
        if score { printLine(try QualityReport.describe(images: images, count: count)) }
    }
}

enum SampleExport {
    /// G(z) for `count` latents, in chunks of the generator's workspace size.
    static func generate(generator: any LatentImageGenerator, latents: [Float], count: Int) -> [Float] {
        let size = generator.latentSize, chunk = min(count, 1000), pixels = MNISTImages.pixelsPerImage
        var out = [Float]()
        out.reserveCapacity(count * pixels)
        let arena = FloatArena(capacity: FloatArena.capacity(for: [(rows: chunk, cols: size), (rows: chunk, cols: pixels)]))
        let input = arena.matrix(rows: chunk, cols: size), output = arena.matrix(rows: chunk, cols: pixels)
        var start = 0
        while start < count {
            let n = min(chunk, count - start)
            let rows = input.prefix(rows: n), images = output.prefix(rows: n)
            latents.withUnsafeBufferPointer { rows.base.update(from: $0.baseAddress! + start * size, count: n * size) }
            generator.generate(rows, into: images)
            out += images.buffer
            start += n
        }
        return out
    }
}
