import CKernels
import Foundation

/// A layer's three products with its weights kept in panels (`CKernels`), shared between
/// the cores like `BLAS.gemm`, on the micro-kernels of the current `KernelPath`.
///
/// Why our own kernels: at 64–256 rows OpenBLAS spends a fifth or more of each call repacking the
/// weights, and its X·Wᵀ path runs at ~75 % of its X·W one. With W stored once in the layout the
/// micro-kernel reads (16 units per vector), the forward product and the weight gradient need no
/// packing at all, and Adam, being elementwise, does not care how the weights are laid out.
/// `gantop bench --kernels` measures each product against `cblas_sgemm`.
public enum PanelProducts {
    /// Whether new networks that ask for panels get them: on every kernel path but `blas`
    /// (`KernelPath.use` sets it). Tests flip it to compare both layouts on one path.
    nonisolated(unsafe) public static var isEnabled = KernelPath.current.usesPanels

    /// Whether a [out, in] weight can live in panels.
    public static func canPanel(outputs: Int, inputs: Int) -> Bool {
        isEnabled && outputs % 16 == 0 && outputs >= 16 && inputs >= 1
    }

    public static func pack(_ rowMajor: UnsafePointer<Float>, outputs: Int, inputs: Int, into panels: UnsafeMutablePointer<Float>) {
        pk_pack(rowMajor, outputs, inputs, panels)
    }

    public static func unpack(_ panels: UnsafePointer<Float>, outputs: Int, inputs: Int, into rowMajor: UnsafeMutablePointer<Float>) {
        pk_unpack(panels, outputs, inputs, rowMajor)
    }

    /// What the forward product does to its tiles before storing them.
    public enum Epilogue {
        case none
        case bias(UnsafeMutablePointer<Float>)
        case biasLeakyReLU(UnsafeMutablePointer<Float>, slope: Float)
    }

    /// y = x · Wᵀ, W [y.cols, x.cols] in panels, then the epilogue.
    public static func forward(_ x: Matrix, panels: UnsafeMutablePointer<Float>, into y: Matrix, epilogue: Epilogue = .none) {
        precondition(x.rows == y.rows && y.cols % 16 == 0, "panel forward: bad shapes")
        let (rows, inputs, panelCount) = (x.rows, x.cols, y.cols / 16)
        let (bias, slope, leaky): (UnsafeMutablePointer<Float>?, Float, Int32) = switch epilogue {
        case .none: (nil, 0, 0)
        case .bias(let b): (b, 0, 0)
        case .biasLeakyReLU(let b, let slope): (b, slope, 1)
        }
        let p = GemmOperands(a: x.base, b: panels, c: y.base), b = OptionalPointer(bias)
        let (parts, width) = split(panelCount, work: rows * inputs * y.cols)
        ParallelLoop.run(parts) { part in
            let first = part * width
            pk_forward(p.a, inputs, rows, p.b, inputs, first, min(width, panelCount - first), p.c, y.cols,
                       b.pointer, slope, leaky)
        }
    }

    /// dx = d · W, W [d.cols, dx.cols] in panels. `scratch` holds `scratchFloats(outputs:)` per
    /// thread of the core team (two), 64-byte aligned.
    public static func inputGradient(_ d: Matrix, panels: UnsafeMutablePointer<Float>, into dx: Matrix,
                                     scratch: UnsafeMutablePointer<Float>) {
        let parts = InputGradientParts(d, panels: panels, into: dx, scratch: scratch)
        ParallelLoop.runWithWorker(parts.count, parts.run)
    }

    /// `inputGradient` as the parts of a team job, for a caller that runs them together with
    /// other work (fewer joins, where the faster thread waits for the slower one).
    struct InputGradientParts: @unchecked Sendable {
        let d, panels, dx, scratch: UnsafeMutablePointer<Float>
        let rows, outputs, inputs, count, width: Int

        init(_ d: Matrix, panels: UnsafeMutablePointer<Float>, into dx: Matrix, scratch: UnsafeMutablePointer<Float>) {
            precondition(d.rows == dx.rows && d.cols % 16 == 0, "panel input gradient: bad shapes")
            (self.d, self.panels, self.dx, self.scratch) = (d.base, panels, dx.base, scratch)
            (rows, outputs, inputs) = (d.rows, d.cols, dx.cols)
            (count, width) = split((inputs + 15) / 16, work: rows * inputs * outputs)   // in 16-column strips
        }

        func run(_ part: Int, _ worker: Int) {
            let first = part * width * 16, columns = min(width * 16, inputs - first)
            guard columns > 0 else { return }
            pk_input_gradient(d, outputs, rows, panels, outputs, inputs, first, columns, dx, inputs,
                              scratch + worker * scratchFloats(outputs: outputs))
        }
    }

    /// Floats of one thread's input-gradient strip for a layer of `outputs` units.
    public static func scratchFloats(outputs: Int) -> Int { outputs * 32 }

    /// The weight gradient dᵀ · x into `gradient` (panel layout), on the cores.
    public static func weightGradient(_ d: Matrix, _ x: Matrix, into gradient: UnsafeMutablePointer<Float>, accumulate: Bool) {
        precondition(d.rows == x.rows && d.cols % 16 == 0, "panel weight gradient: bad shapes")
        let (rows, inputs, panelCount) = (d.rows, x.cols, d.cols / 16)
        let p = GemmOperands(a: d.base, b: x.base, c: gradient)
        let (parts, width) = split(panelCount, work: rows * inputs * d.cols)
        ParallelLoop.run(parts) { part in
            let first = part * width
            weightGradient(p.a, d.cols, p.b, rows: rows, inputs: inputs, panels: first ..< min(first + width, panelCount),
                           into: p.c + first * inputs * 16, accumulate: accumulate)
        }
    }

    /// Panels `panels` of the weight gradient dᵀ · x (d with `deltaStride` floats per row, x
    /// row-major with `inputs` columns) into `tile`, which then holds them contiguously.
    static func weightGradient(_ d: UnsafeMutablePointer<Float>, _ deltaStride: Int, _ x: UnsafeMutablePointer<Float>,
                               rows: Int, inputs: Int, panels: Range<Int>, into tile: UnsafeMutablePointer<Float>,
                               accumulate: Bool) {
        pk_weight_gradient(d, deltaStride, x, inputs, rows, inputs, panels.lowerBound, panels.count, tile, accumulate ? 1 : 0)
    }

    /// Parts for `units` (panels, or 16-column strips): as many as `BLAS.split` gives a product
    /// of this size, as even as whole units allow (a part's odd panel costs a one-panel tile,
    /// far less than one core waiting for the other's extra panel pair).
    private static func split(_ units: Int, work: Int) -> (parts: Int, width: Int) {
        guard CoreTeam.shared != nil, work >= BLAS.splitThreshold, units >= 2 else { return (1, units) }
        let wanted = min(BLAS.partsPerProduct, units)
        let width = (units + wanted - 1) / wanted
        return ((units + width - 1) / width, width)
    }
}

/// A nullable pointer shared by the parts of a job (read only).
struct OptionalPointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>?
    init(_ pointer: UnsafeMutablePointer<Float>?) { self.pointer = pointer }
}
