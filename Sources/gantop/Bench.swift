import ArgumentParser
import Foundation
import GANTraining
import GANView
import NeuralNet

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure training speed of the reference GAN against the machine's sgemm roof.")

    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds each measurement runs (after its warm-up).", valueName: "s"))
    var seconds: Double = 3

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Option(help: ArgumentHelp("The GAN to time: mlp (default) or dcgan.", valueName: "model"))
    var model: GANModelKind = .mlp

    @Option(name: [.customLong("batch-sizes"), .customLong("batch-size")], parsing: .upToNextOption,
            help: "Batch sizes to time (default: 64 128 for the MLP, 64 for the DCGAN).")
    var batchSizes: [Int] = []

    @Flag(help: "Also print where the time goes, phase by phase.")
    var phases = false

    @Flag(help: ArgumentHelp("Time the step's building blocks alone (Adam, a team job, two GEMMs).", visibility: .hidden))
    var kernels = false

    @Flag(name: .customLong("list-kernel-paths"),
          help: "Print the kernel paths this CPU runs, best first, one a line (for GANTOP_KERNELS), and exit.")
    var listKernelPaths = false

    @OptionGroup var data: DataOptions

    func validate() throws {
        guard seconds.isFinite, seconds > 0, seconds <= 600 else {
            throw ValidationError("--seconds must be in (0, 600] (got \(seconds))")
        }
        if let bad = batchSizes.first(where: { !(1 ... 4096).contains($0) }) {
            throw ValidationError("batch sizes must be between 1 and 4096 (got \(bad))")
        }
    }

    func run() throws {
        if listKernelPaths {
            print(KernelPath.supported.map(\.rawValue).joined(separator: "\n"))
            return
        }
        #if DEBUG
        printError("gantop bench: this is a debug build; timings mean little (use swift run -c release gantop bench)")
        #endif
        if kernels {
            for (name, value) in KernelBench.run(seconds: seconds) { print("\(name): \(fixed(Float(value), 3))") }
            return
        }
        let images = try data.loadTrainingImages()
        var results: [(batch: Int, stepsPerSecond: Double, gflops: Double)] = []
        var startup: Double?
        for b in batchSizes.isEmpty ? (model == .mlp ? [64, 128] : [64]) : batchSizes {
            // The reference recipe at batch b: the step `train --recipe reference` runs.
            var configuration = GANConfiguration()
            configuration.batchSize = b
            let gan: any GANModel = switch model {
            case .mlp: MNISTGAN(configuration: configuration, images: images, seed: 1)
            case .dcgan: DCGANModel(configuration: configuration, images: images, seed: 1)
            }
            gan.trainStep()
            if startup == nil { startup = ProcessClock.secondsSinceProcessStart() }
            let rate = Stopwatch.rate(seconds: seconds, warmup: min(seconds / 3, 1)) { gan.trainStep() }
            results.append((b, rate, rate * model.flopsPerStep(batch: b) / 1e9))
            if phases { printPhases(gan, seconds: seconds) }
        }
        let roof = SgemmRoof.measure(size: 2048, seconds: min(seconds, 2))
        let gan1d = Gan1D(target: .normal, seed: 1)
        let gan1dRate = Stopwatch.rate(seconds: min(seconds, 2), warmup: 0.2) { gan1d.trainStep() }
        var frame = CellBuffer(width: 160, height: 50)
        let snapshot = FrameSnapshot.demo(gan1DBins: Screen.gan1DBinCount(width: 160, height: 50))
        let renderRate = Stopwatch.rate(seconds: min(seconds, 1), warmup: 0.1) {
            Screen.render(snapshot, options: ViewOptions(), colorMode: .palette256, into: &frame)
        }
        let report = BenchReport(model: model, results: results, roofGflops: roof, gan1dStepsPerSecond: gan1dRate,
                                 frameRenderMilliseconds: 1000 / renderRate, startupSeconds: startup ?? 0,
                                 peakRSSMegabytes: ProcessClock.peakRSSMegabytes(),
                                 threads: BLAS.threadCount, core: BLAS.coreName,
                                 coreFromEnvironment: !(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "").isEmpty)
        print(json ? report.json() : report.text())
    }
}

/// Timing helpers for the benchmark (process-level facts come from /proc and getrusage).
extension Bench {
    private func printPhases(_ gan: any GANModel, seconds: Double) {
        let timer = PhaseTimer()
        gan.phaseTimer = timer
        defer { gan.phaseTimer = nil }
        var steps = 0
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            gan.trainStep()
            steps += 1
        }
        let total = timer.seconds.reduce(0, +)
        printError("phases at B=\(gan.configuration.batchSize) (\(steps) steps):")
        for phase in PhaseTimer.Phase.allCases {
            let t = timer.seconds[phase.rawValue]
            printError("  \(phase.label.padding(toLength: 36, withPad: " ", startingAt: 0)) \(fixed(Float(1000 * t / Double(steps)), 2)) ms  \(fixed(Float(100 * t / total), 1)) %")
        }
    }
}

enum Stopwatch {
    /// Calls `body` for `warmup` seconds, then counts calls for `seconds`: calls per second.
    static func rate(seconds: Double, warmup: Double, _ body: () -> Void) -> Double {
        let warmEnd = Date().addingTimeInterval(warmup)
        while Date() < warmEnd { body() }
        let start = Date()
        var calls = 0
        repeat {
            body()
            calls += 1
        } while Date().timeIntervalSince(start) < seconds
        return Double(calls) / Date().timeIntervalSince(start)
    }
}

enum SgemmRoof {
    /// GFLOP/s of an n³ single-precision product: the most this machine's BLAS can do.
    static func measure(size n: Int, seconds: Double) -> Double {
        let arena = FloatArena(capacity: FloatArena.capacity(for: [(n, n), (n, n), (n, n)]))
        let a = arena.matrix(rows: n, cols: n), b = arena.matrix(rows: n, cols: n), c = arena.matrix(rows: n, cols: n)
        var rng = RandomGenerator(seed: 7)
        rng.fillUniform(a.buffer, -1, 1)
        rng.fillUniform(b.buffer, -1, 1)
        let rate = Stopwatch.rate(seconds: seconds, warmup: 0.2) { BLAS.gemm(a, b, into: c) }
        return rate * 2 * Double(n * n * n) / 1e9
    }
}

enum ProcessClock {
    /// Seconds since the kernel started this process (field 22 of /proc/self/stat, in clock ticks).
    static func secondsSinceProcessStart() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
        var now = timespec()
        clock_gettime(CLOCK_BOOTTIME, &now)
        let uptime = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
        return uptime - ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
    }
}

struct BenchReport {
    let model: GANModelKind
    let results: [(batch: Int, stepsPerSecond: Double, gflops: Double)]
    let roofGflops: Double
    let gan1dStepsPerSecond: Double
    let frameRenderMilliseconds: Double
    let startupSeconds: Double
    let peakRSSMegabytes: Double
    let threads: Int
    let core: String
    /// Whether OPENBLAS_CORETYPE chose the core: it overrides OpenBLAS's own choice of kernels, which can
    /// halve the DCGAN's speed (an AVX-512 CPU held to the Haswell kernels), so the report says so.
    let coreFromEnvironment: Bool

    func text() -> String {
        var lines = ["gantop bench: \(model == .mlp ? "the MLP GAN" : "the DCGAN") (release, OpenBLAS \(threads) thread(s), core \(core)\(coreFromEnvironment ? ", as OPENBLAS_CORETYPE sets it" : ""))",
                     "  kernel path: \(KernelPath.current.summary)"]
        for r in results {
            lines.append("  B=\(pad(r.batch, 4))  \(fixed(Float(r.stepsPerSecond), 1)) steps/s  \(fixed(Float(r.gflops), 1)) GFLOP/s  "
                         + "(\(fixed(Float(100 * r.gflops / roofGflops), 0)) % of the sgemm roof)")
        }
        lines.append("  sgemm roof (2048³): \(fixed(Float(roofGflops), 1)) GFLOP/s")
        lines.append("  FLOPs per step at B=64: \(fixed(Float(model.flopsPerStep(batch: 64) / 1e9), 3)) GFLOP")
        lines.append("  1-D GAN alone: \(fixed(Float(gan1dStepsPerSecond), 0)) steps/s")
        lines.append("  rendering a 160×50 frame into the cell buffer: \(fixed(Float(frameRenderMilliseconds), 3)) ms")
        lines.append("  startup (process start → first step): \(fixed(Float(startupSeconds), 3)) s")
        lines.append("  peak RSS: \(fixed(Float(peakRSSMegabytes), 1)) MB")
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        var fields = ["\"model\":\"\(model.rawValue)\""]
        for r in results {
            fields.append("\"steps_per_sec_b\(r.batch)\":\(jsonNumber(Float(r.stepsPerSecond)))")
            fields.append("\"gflops_b\(r.batch)\":\(jsonNumber(Float(r.gflops)))")
            fields.append("\"roof_fraction_b\(r.batch)\":\(jsonNumber(Float(r.gflops / roofGflops)))")
        }
        fields.append("\"sgemm_roof_gflops\":\(jsonNumber(Float(roofGflops)))")
        fields.append("\"flops_per_step_b64\":\(model.flopsPerStep(batch: 64))")
        fields.append("\"gan1d_steps_per_sec\":\(jsonNumber(Float(gan1dStepsPerSecond)))")
        fields.append("\"frame_render_ms_160x50\":\(jsonNumber(Float(frameRenderMilliseconds)))")
        fields.append("\"startup_s\":\(jsonNumber(Float(startupSeconds)))")
        fields.append("\"peak_rss_mb\":\(jsonNumber(Float(peakRSSMegabytes)))")
        fields.append("\"blas_threads\":\(threads)")
        fields.append("\"blas_core\":\"\(core)\"")
        fields.append("\"blas_core_from_environment\":\(coreFromEnvironment)")
        fields.append("\"kernel_path\":\"\(KernelPath.current)\"")
        return "{" + fields.joined(separator: ",") + "}"
    }
}
