import NeuralNet

/// How G's latent vectors are drawn: U(−1, 1) noise, and with `categories` K > 0 InfoGAN's
/// categorical code (Chen et al. 2016) in the last K columns, one-hot and uniform over the K
/// categories, so that G's input stays `size` wide. One type for every place that draws latents
/// (training noise, the screen's digits, the quality meter, BatchNorm recomputation, exports), so
/// that none of them samples G off the distribution it was trained on.
public struct LatentLayout: Sendable, Equatable {
    public let size: Int
    public let categories: Int

    public init(size: Int, categories: Int = 0) {
        precondition(size > 0 && (0 ..< size).contains(categories))
        self.size = size
        self.categories = categories
    }

    /// The first column of the code (== `size` when there is none).
    public var codeStart: Int { size - categories }

    /// Fills every row of `z`: uniform noise (the whole matrix first, so that without a code the
    /// stream is the one gantop always drew), then each row's code from `rng`.
    public func fill(_ z: Matrix, rng: inout RandomGenerator) {
        precondition(z.cols == size)
        rng.fillUniform(z.buffer, -1, 1)
        guard categories > 0 else { return }
        for r in 0 ..< z.rows { setCode(rng.nextInt(below: categories), row: r, of: z) }
    }

    /// Overwrites row `r`'s code columns with the one-hot vector of `code`.
    public func setCode(_ code: Int, row r: Int, of z: Matrix) {
        precondition((0 ..< categories).contains(code))
        let c = z.base + r * size + codeStart
        c.update(repeating: 0, count: categories)
        c[code] = 1
    }

    /// Row `r`'s category: the arg-max of its code columns (a given latent need not be exactly one-hot).
    public func code(row r: Int, of z: Matrix) -> Int {
        precondition(categories > 0)
        let c = z.base + r * size + codeStart
        var best = 0
        for k in 1 ..< categories where c[k] > c[best] { best = k }
        return best
    }

    /// `count` fixed latents (the screen's digits, `sample`): uniform noise from their own seed,
    /// as gantop always drew them, and with a code latent i in category i mod K, so that a grid
    /// shows every category in turn.
    public func fixedLatents(count: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed ^ 0x1A7E_4715)
        var values = (0 ..< count * size).map { _ in rng.uniform(-1, 1) }
        guard categories > 0 else { return values }
        for i in 0 ..< count {
            for k in 0 ..< categories { values[i * size + codeStart + k] = k == i % categories ? 1 : 0 }
        }
        return values
    }
}
