import NeuralNet

/// MNIST images kept as bytes (47 MB for the training set, not 188 MB of Float); a batch is
/// scaled to [-1, 1] only when it is drawn.
public struct MNISTImages: Sendable {
    public static let side = 28
    public static let pixelsPerImage = side * side

    public let pixels: [UInt8]
    public let count: Int
    public let labels: [UInt8]?

    /// `count` images of noise pixels from a fixed linear congruential sequence started at
    /// `state`: tests of the training machinery need data, not MNIST, and should not load it.
    public static func synthetic(count: Int, state: UInt64) -> MNISTImages {
        var state = state
        let pixels = (0 ..< count * pixelsPerImage).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        return MNISTImages(pixels: pixels, count: count)
    }

    public init(pixels: [UInt8], count: Int, labels: [UInt8]? = nil) {
        precondition(pixels.count == count * Self.pixelsPerImage, "pixel buffer does not hold \(count) images")
        self.pixels = pixels
        self.count = count
        self.labels = labels
    }

    /// The first `n` images (tests and quick runs).
    public func prefix(_ n: Int) -> MNISTImages {
        let n = min(n, count)
        return MNISTImages(pixels: Array(pixels[0 ..< n * Self.pixelsPerImage]), count: n,
                           labels: labels.map { Array($0[0 ..< n]) })
    }

    /// Mean pixel intensity of the whole set on the [-1, 1] scale.
    public var meanIntensity: Float {
        var total = 0
        for p in pixels { total += Int(p) }
        return Float(Double(total) / Double(pixels.count) / 127.5 - 1)
    }

    /// A hint that image `index` is wanted soon.
    public func prefetch(_ index: Int) {
        pixels.withUnsafeBufferPointer { p in
            ElementwiseKernels.prefetch(p.baseAddress! + index * Self.pixelsPerImage, bytes: Self.pixelsPerImage)
        }
    }

    /// Writes image `index` scaled to [-1, 1] into `row` (784 floats).
    public func copyScaled(_ index: Int, into row: UnsafeMutablePointer<Float>) {
        pixels.withUnsafeBufferPointer { p in
            ElementwiseKernels.unitRange(p.baseAddress! + index * Self.pixelsPerImage, into: row, count: Self.pixelsPerImage)
        }
    }
}

/// Walks the data in a fresh random order every epoch.
///
/// The order of epoch e is a pure function of (seed, e), so a checkpoint only needs the seed,
/// the epoch and the position within it to resume the exact same sequence of batches.
public struct EpochSampler: Sendable {
    public let seed: UInt64
    public let count: Int
    /// 1-based index of the epoch in progress.
    public private(set) var epoch: Int
    /// Images of this epoch already drawn.
    public private(set) var position: Int
    private var order: [Int32]

    public init(count: Int, seed: UInt64, epoch: Int = 1, position: Int = 0) {
        precondition(count > 0 && epoch >= 1 && position >= 0 && position <= count)
        self.count = count
        self.seed = seed
        self.epoch = epoch
        self.position = position
        self.order = Self.order(count: count, seed: seed, epoch: epoch)
    }

    static func order(count: Int, seed: UInt64, epoch: Int) -> [Int32] {
        var rng = RandomGenerator(seed: seed ^ (0xD1B5_4A32_D192_ED03 &* UInt64(epoch)))
        var order = (0 ..< count).map { Int32($0) }
        rng.shuffle(&order)
        return order
    }

    /// The next image index; rolls over into a newly shuffled epoch at the end.
    public mutating func next() -> Int {
        if position == count {
            epoch += 1
            position = 0
            order = Self.order(count: count, seed: seed, epoch: epoch)  // once per epoch, not per step
        }
        defer { position += 1 }
        return Int(order[position])
    }

    /// Fills `batch` (rows × 784) with the next images, scaled to [-1, 1], then asks the memory
    /// system for the images of the batch after it (their order is known): a random image is
    /// a DRAM miss, and a step is long enough for all of them to arrive.
    public mutating func fill(_ batch: Matrix, from images: MNISTImages) {
        let rows = batch.rows, first = position
        if first + rows <= count {
            // Within one epoch the batch is a slice of `order`: both cores convert half of it.
            position += rows
            order.withUnsafeBufferPointer { order in
                let parts = rows >= 32 ? 2 : 1, perPart = (rows + parts - 1) / parts
                ParallelLoop.run(parts) { part in
                    for r in part * perPart ..< min(rows, (part + 1) * perPart) {
                        images.copyScaled(Int(order[first + r]), into: batch.base + r * batch.cols)
                    }
                }
            }
        } else {
            for r in 0 ..< rows { images.copyScaled(next(), into: batch.base + r * batch.cols) }
        }
        for i in position ..< min(position + batch.rows, count) { images.prefetch(Int(order[i])) }
    }
}
