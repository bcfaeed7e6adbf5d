import XCTest
import Foundation
import NeuralNet

/// Shared scaffolding: owned storage for matrix views, reference math in Double, and
/// finite differences. `Matrix` is only a view, so every test matrix is carved from an arena
/// that the test case keeps alive until it is torn down (ARC may otherwise free an arena
/// right after its last *syntactic* use while views into it are still being read).
class NeuralNetTestCase: XCTestCase {
    private var retained: [AnyObject] = []

    /// Keeps an object (arena, MLP, parameter set) alive for the rest of the test.
    @discardableResult
    func keep<T: AnyObject>(_ object: T) -> T {
        retained.append(object)
        return object
    }

    /// A fresh zeroed `rows × cols` matrix, optionally filled with `values` (row-major).
    func matrix(_ rows: Int, _ cols: Int, _ values: [Float]? = nil) -> Matrix {
        let arena = keep(FloatArena(capacity: FloatArena.capacity(for: [(rows, cols)])))
        let m = arena.matrix(rows: rows, cols: cols)
        if let values {
            precondition(values.count == rows * cols)
            for i in values.indices { m.base[i] = values[i] }
        }
        return m
    }

    /// A matrix of uniform values in [low, high).
    func randomMatrix(_ rows: Int, _ cols: Int, _ rng: inout RandomGenerator,
                      _ low: Float = -1, _ high: Float = 1) -> Matrix {
        let m = matrix(rows, cols)
        rng.fillUniform(m.buffer, low, high)
        return m
    }

    /// An MLP kept alive for the test, Glorot-initialised, with small random (non-zero) biases
    /// so that bias paths are actually exercised.
    func makeMLP(_ layers: [MLP.Layer], maxRows: Int, seed: UInt64,
                 outputStorage: Matrix? = nil, panelled: Bool = false) -> MLP {
        let net = keep(MLP(layers: layers, maxRows: maxRows, outputStorage: outputStorage, panelled: panelled))
        var rng = RandomGenerator(seed: seed)
        net.initialiseGlorotUniform(rng: &rng)
        for i in layers.indices { rng.fillUniform(net.bias(i).buffer, -0.3, 0.3) }
        return net
    }
}

// MARK: - Reference math

/// c = alpha · op(a) · op(b) + beta · c by the textbook triple loop, in Double.
func naiveGEMM(_ a: [Float], rowsA: Int, colsA: Int, transposeA: Bool,
               _ b: [Float], rowsB: Int, colsB: Int, transposeB: Bool,
               c: [Float], alpha: Double, beta: Double) -> [Double] {
    let m = transposeA ? colsA : rowsA
    let k = transposeA ? rowsA : colsA
    let n = transposeB ? rowsB : colsB
    func opA(_ i: Int, _ p: Int) -> Double { Double(transposeA ? a[p * colsA + i] : a[i * colsA + p]) }
    func opB(_ p: Int, _ j: Int) -> Double { Double(transposeB ? b[j * colsB + p] : b[p * colsB + j]) }
    var out = [Double](repeating: 0, count: m * n)
    for i in 0 ..< m {
        for j in 0 ..< n {
            var s = 0.0
            for p in 0 ..< k { s += opA(i, p) * opB(p, j) }
            out[i * n + j] = alpha * s + beta * Double(c[i * n + j])
        }
    }
    return out
}

/// Σ weights ⊙ m, accumulated in Double: the scalar "loss" whose gradient is `weights`.
func weightedSum(_ m: Matrix, _ weights: Matrix) -> Double {
    precondition(m.count == weights.count)
    var s = 0.0
    for i in 0 ..< m.count { s += Double(m.base[i]) * Double(weights.base[i]) }
    return s
}

/// Central difference of `f` with respect to the Float at `p`, restoring it afterwards.
func centralDifference(at p: UnsafeMutablePointer<Float>, eps: Float, _ f: () -> Double) -> Double {
    let saved = p.pointee
    p.pointee = saved + eps
    let plus = f()
    p.pointee = saved - eps
    let minus = f()
    p.pointee = saved
    // Divide by the step actually taken (saved ± eps is rounded to Float).
    return (plus - minus) / (Double(saved + eps) - Double(saved - eps))
}

/// |analytic − numeric| ≤ rel · max(|analytic|, |numeric|) + abs, with a readable message.
func assertGradientsClose(_ analytic: [Float], _ numeric: [Double], rel: Double = 1e-2, abs absTol: Double = 1e-3,
                          _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(analytic.count, numeric.count, "\(what): count", file: file, line: line)
    var worst = 0.0
    for (i, (a, n)) in zip(analytic, numeric).enumerated() {
        let err = Swift.abs(Double(a) - n)
        let tol = rel * max(Swift.abs(Double(a)), Swift.abs(n)) + absTol
        worst = max(worst, err / tol)
        if err > tol {
            XCTFail("\(what)[\(i)]: analytic \(a) vs finite difference \(n) (|Δ| = \(err) > \(tol))",
                    file: file, line: line)
            return
        }
    }
    // A gradient that is all zeros would pass trivially; the callers' inputs make sure it is not.
    XCTAssertTrue(numeric.contains { Swift.abs($0) > 10 * absTol }, "\(what): gradient suspiciously ~0",
                  file: file, line: line)
}

extension Float {
    /// The exact bit pattern, for "bit-identical" comparisons (NaN-safe, −0 ≠ +0).
    var bits: UInt32 { bitPattern }
}

/// The smallest |pre-activation| at a kink (leakyReLU, relu) over a forward pass of `input`,
/// recomputed in Double from the public weights. Central differences with step eps are only
/// valid if this is comfortably above eps: a step across a kink mixes the two slopes.
func distanceToNearestKink(_ net: MLP, _ input: Matrix) -> Double {
    var x = (0 ..< input.rows).map { r in (0 ..< input.cols).map { Double(input[r, $0]) } }
    var nearest = Double.infinity
    for (i, layer) in net.layers.enumerated() {
        let w = net.weight(i), b = net.bias(i)
        x = x.map { row in
            (0 ..< layer.outputs).map { o in
                let z = (0 ..< layer.inputs).reduce(Double(b[0, o])) { $0 + row[$1] * Double(w[o, $1]) }
                switch layer.activation {
                case .leakyReLU(let slope):
                    nearest = min(nearest, Swift.abs(z))
                    return z > 0 ? z : Double(slope) * z
                case .relu:
                    nearest = min(nearest, Swift.abs(z))
                    return max(z, 0)
                case .tanh: return Foundation.tanh(z)
                case .identity: return z
                }
            }
        }
    }
    return nearest
}

// MARK: - Kernel paths

extension XCTestCase {
    /// Runs `body` once on each kernel path this CPU runs (`panelsOnly`: those that keep weights
    /// in panels), every kernel switched to it, then restores the process's own path. Messages
    /// should name the path: a failure then says which one.
    func onEveryKernelPath(panelsOnly: Bool = false, _ body: (KernelPath) throws -> Void) throws {
        for path in KernelPath.supported where path.usesPanels || !panelsOnly {
            try KernelPath.run(on: path) { try body(path) }
        }
    }

    /// `body`'s result on path `path`.
    func onPath<T>(_ path: KernelPath, _ body: () throws -> T) throws -> T {
        try KernelPath.run(on: path, body)
    }
}
