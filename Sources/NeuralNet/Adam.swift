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
        step += 1
        let t = Double(step)
        let c1 = 1 - pow(Double(beta1), t)
        let c2 = 1 - pow(Double(beta2), t)
        // Fold both corrections into a step size and an ε: p −= a · m / (√v + ε̂).
        let a = Float(Double(learningRate) / c1 * c2.squareRoot())
        let epsHat = Float(Double(epsilon) * c2.squareRoot())
        let b1 = beta1, b2 = beta2, ob1 = 1 - beta1, ob2 = 1 - beta2
        let p = params.values, g = params.grads, m = params.firstMoment, v = params.secondMoment
        for i in 0 ..< params.count {
            let gi = g[i]
            let mi = b1 * m[i] + ob1 * gi
            let vi = b2 * v[i] + ob2 * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] -= a * mi / (vi.squareRoot() + epsHat)
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
