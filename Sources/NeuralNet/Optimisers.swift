import CKernels

/// Adam (Kingma & Ba 2015) with PyTorch's bias-corrected update:
///   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;
///   p ← p − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)
/// computed as one pass over the contiguous parameter, gradient and moment blocks.
public struct Adam: Sendable, Equatable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    /// Updates taken so far (t in the bias correction); saved in checkpoints.
    public var step: Int = 0

    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public mutating func update(_ params: ParameterSet) {
        apply(nextStep(), to: params)
    }

    /// One update (one t) of two parameter sets, as one PyTorch Adam over both parameter lists:
    /// D and InfoGAN's Q head on it.
    public mutating func update(_ params: ParameterSet, _ more: ParameterSet) {
        let step = nextStep()
        apply(step, to: params)
        apply(step, to: more)
    }

    private func apply(_ step: Step, to params: ParameterSet) {
        let streams = DisjointPointers(params.values, params.grads, params.firstMoment, params.secondMoment)
        ParallelLoop.forEachChunk(of: params.count) { start, n in
            let s = streams.pointers
            step.apply(values: s[0] + start, grads: s[1] + start, m: s[2] + start, v: s[3] + start, count: n)
        }
    }

    /// One update's constants, for applying it piece by piece (`MLP.backward` updates each
    /// weight-gradient tile the moment it is computed, so the gradient is never stored whole).
    public struct Step: Sendable {
        public let beta1, beta2, stepSize, epsilon: Float

        /// Updates `count` parameters from their gradients and moments.
        @inlinable
        public func apply(values: UnsafeMutablePointer<Float>, grads: UnsafeMutablePointer<Float>,
                          m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int) {
            Adam.kernel(values: values, grads: grads, m: m, v: v, count: count,
                        beta1: beta1, beta2: beta2, stepSize: stepSize, epsilon: epsilon)
        }
    }

    /// Counts an update (t += 1) and returns its constants: both bias corrections folded into a
    /// step size and an ε, p −= a · m / (√v + ε̂).
    public mutating func nextStep() -> Step {
        step += 1
        let t = Double(step)
        let c1 = 1 - pow(Double(beta1), t)
        let c2 = 1 - pow(Double(beta2), t)
        return Step(beta1: beta1, beta2: beta2, stepSize: Float(Double(learningRate) / c1 * c2.squareRoot()),
                    epsilon: Float(Double(epsilon) * c2.squareRoot()))
    }

    /// The update over flat arrays, in C on the current `KernelPath` (AVX-512 or AVX2 with fused
    /// multiply-adds, bit-identical to each other; portable C rounds like `portableKernel`).
    /// The C AVX-512 kernel ran 4× the Swift SIMD8 one on a core: Swift compiles for baseline
    /// x86-64 here (SSE, no FMA).
    @inlinable
    public static func kernel(values p: UnsafeMutablePointer<Float>, grads g: UnsafeMutablePointer<Float>,
                              m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int,
                              beta1: Float, beta2: Float, stepSize a: Float, epsilon: Float) {
        adam_update(p, g, m, v, count, beta1, beta2, a, epsilon)
    }

    /// The update in Swift, for any CPU: the reference the C kernels are tested against.
    public static func portableKernel(values p: UnsafeMutablePointer<Float>, grads g: UnsafeMutablePointer<Float>,
                               m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int,
                               beta1: Float, beta2: Float, stepSize a: Float, epsilon: Float) {
        typealias V = SIMD8<Float>
        let b1 = V(repeating: beta1), b2 = V(repeating: beta2)
        let ob1 = V(repeating: 1 - beta1), ob2 = V(repeating: 1 - beta2)
        let step = V(repeating: a), eps = V(repeating: epsilon)
        let vectorEnd = count & ~7
        var i = 0
        while i < vectorEnd {
            let gi = UnsafeRawPointer(g + i).loadUnaligned(as: V.self)
            let mi = b1 * UnsafeRawPointer(m + i).loadUnaligned(as: V.self) + ob1 * gi
            let vi = b2 * UnsafeRawPointer(v + i).loadUnaligned(as: V.self) + ob2 * gi * gi
            let pi = UnsafeRawPointer(p + i).loadUnaligned(as: V.self) - step * mi / (vi.squareRoot() + eps)
            UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: V.self)
            UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: V.self)
            UnsafeMutableRawPointer(p + i).storeBytes(of: pi, as: V.self)
            i += 8
        }
        while i < count {
            let gi = g[i]
            let mi = beta1 * m[i] + (1 - beta1) * gi
            let vi = beta2 * v[i] + (1 - beta2) * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] -= a * mi / (vi.squareRoot() + epsilon)
            i += 1
        }
    }
}

/// Plain stochastic gradient descent, for comparison and for live switching in the UI.
public struct SGD: Sendable, Equatable {
    public var learningRate: Float
    public init(learningRate: Float) { self.learningRate = learningRate }

    public func update(_ params: ParameterSet) {
        let lr = learningRate
        let p = params.values, g = params.grads
        for i in 0 ..< params.count { p[i] -= lr * g[i] }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which update rule trains a network (key `o`, `--optimizer`).
public enum OptimizerKind: String, CaseIterable, Sendable {
    case adam, sgd
    public var next: OptimizerKind { self == .adam ? .sgd : .adam }
}
