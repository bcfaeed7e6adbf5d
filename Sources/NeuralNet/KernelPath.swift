import CKernels
import Foundation

/// Which kernels compute the training step, chosen once per process: the best the CPU has
/// (AVX-512 → AVX2 + FMA → portable C), or the one `GANTOP_KERNELS` names.
///
/// Every path keeps weights in panels (`PanelProducts`) except `blas`, which multiplies row-major
/// weights through OpenBLAS (for side-by-side measurements) and runs Adam and the elementwise
/// passes on the best vector path. AVX-512 and AVX2 round every product, Adam update and
/// activation alike, so they train bit-identically (given the same OpenBLAS kernel for the few
/// row-major layers); portable C may round differently (no fused multiply-adds on x86-64).
public enum KernelPath: String, CaseIterable, Sendable, CustomStringConvertible {
    case avx512, avx2, portable, blas

    public var description: String { rawValue }

    /// The environment variable that forces a path.
    public static let environmentVariable = "GANTOP_KERNELS"

    /// A path this CPU cannot run, or a name that is no path.
    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// The C kernels' instruction set on this path (`blas`: the best there is).
    var instructionSet: Int32 {
        switch self {
        case .avx512: Int32(GK_AVX512)
        case .avx2: Int32(GK_AVX2)
        case .portable: Int32(GK_PORTABLE)
        case .blas: gk_best()
        }
    }

    /// Whether weights live in panels on this path.
    public var usesPanels: Bool { self != .blas }

    public var isSupportedByCPU: Bool { gk_cpu_supports(instructionSet) != 0 }

    /// The paths this CPU runs, best first.
    public static var supported: [KernelPath] { allCases.filter(\.isSupportedByCPU) }

    /// The best path this CPU runs.
    public static var best: KernelPath { supported[0] }

    /// The path `value` (of `GANTOP_KERNELS`) names: nil, empty or `auto` mean the best.
    public static func named(_ value: String?) throws -> KernelPath {
        guard let value, !value.isEmpty, value != "auto" else { return best }
        guard let path = KernelPath(rawValue: value.lowercased()) else {
            throw Refusal(description: "\(environmentVariable)=\(value) is not a kernel path "
                + "(auto, \(allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard path.isSupportedByCPU else {
            throw Refusal(description: "\(environmentVariable)=\(value): this CPU lacks \(path == .avx512 ? "AVX-512F" : "AVX2 + FMA") "
                + "(it runs: \(supported.map(\.rawValue).joined(separator: ", ")))")
        }
        return path
    }

    /// What the environment asks for, or why it cannot be had (the executable refuses to start).
    public static func fromEnvironment() -> Result<KernelPath, Refusal> {
        Result { try named(ProcessInfo.processInfo.environment[environmentVariable]) }.mapError { $0 as! Refusal }
    }

    /// The path in use. Starts as the environment's (the C kernels read it too, at load time, so
    /// nothing runs on another path first), or the best one when it names none this CPU runs.
    nonisolated(unsafe) public private(set) static var current: KernelPath = {
        let path = (try? fromEnvironment().get()) ?? best
        gk_select(path.instructionSet)
        return path
    }()

    /// Switches every kernel to `path` (tests compare paths in one process). Networks made
    /// before keep their weights' layout; make new ones after switching. Not thread-safe: call
    /// while no kernel runs.
    public static func use(_ path: KernelPath) throws {
        guard path.isSupportedByCPU else { throw Refusal(description: "this CPU cannot run the \(path) kernel path") }
        _ = current
        gk_select(path.instructionSet)
        current = path
        PanelProducts.isEnabled = path.usesPanels
    }

    /// `body`'s result with every kernel on `path`, then the path (and panel switch) from before.
    /// For tests and benchmarks that compare paths in one process.
    public static func run<T>(on path: KernelPath, _ body: () throws -> T) throws -> T {
        let before = current, panels = PanelProducts.isEnabled
        defer {
            try? use(before)
            PanelProducts.isEnabled = panels
        }
        try use(path)
        return try body()
    }

    /// One line for `gantop bench` and logs: the path and what it runs on.
    public var summary: String {
        let isa = switch instructionSet {
        case Int32(GK_AVX512): "AVX-512F"
        case Int32(GK_AVX2): "AVX2 + FMA"
        default: "plain C"
        }
        return usesPanels ? "\(self) (panel kernels, Adam and elementwise passes in \(isa))"
            : "blas (OpenBLAS products on row-major weights; Adam and elementwise passes in \(isa))"
    }
}
