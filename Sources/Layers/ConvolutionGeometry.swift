import CKernels
import NeuralNet

/// The geometry of a square-kernel convolution over one C×H×W image, and the two rearrangements
/// that turn it into a matrix product: im2col (patches as columns) and its adjoint col2im.
///
/// Both take a row stride for the column matrix, so that a batch's columns sit side by side in one
/// [patchSize, batch · positions] matrix and each layer runs one product for the whole batch.
public struct ConvolutionGeometry: Sendable, Equatable {
    public let channels, height, width, kernel, stride, padding: Int
    public var outputHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
    public var outputWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
    /// Rows of the column matrix: one per (channel, ky, kx), PyTorch's weight order.
    public var patchSize: Int { channels * kernel * kernel }
    public var positions: Int { outputHeight * outputWidth }
    public var imageSize: Int { channels * height * width }

    public init(channels: Int, height: Int, width: Int, kernel: Int, stride: Int, padding: Int) {
        precondition(kernel >= 1 && stride >= 1 && padding >= 0 && height + 2 * padding >= kernel)
        (self.channels, self.height, self.width) = (channels, height, width)
        (self.kernel, self.stride, self.padding) = (kernel, stride, padding)
    }

    /// Floats of scratch that `im2col` and `col2imAdding` need (the image's phase planes).
    public var scratchFloats: Int { cv_scratch_floats(channels, height, width, stride, padding) }

    /// cols[row · rowStride + position] from image [channels, height, width]; padding reads as 0.
    /// (C, `CKernels/ConvolutionBody.h`.) `scratch`: `scratchFloats` of the caller's own.
    public func im2col(_ image: UnsafePointer<Float>, into cols: UnsafeMutablePointer<Float>, rowStride: Int? = nil,
                       scratch: UnsafeMutablePointer<Float>) {
        cv_im2col(image, channels, height, width, kernel, stride, padding, cols, rowStride ?? positions, scratch)
    }

    /// image += col2im(cols): each column entry added back to the pixel it was read from.
    public func col2imAdding(_ cols: UnsafePointer<Float>, into image: UnsafeMutablePointer<Float>, rowStride: Int? = nil,
                             scratch: UnsafeMutablePointer<Float>) {
        cv_col2im_add(cols, rowStride ?? positions, channels, height, width, kernel, stride, padding, image, scratch)
    }
}

/// A batch in two layouts: `samples` [batch][channels][size] (a layer's rows, NCHW) and blocked
/// channel-major, where each block of up to `samplesPerBlock` samples is one [channels][count · size]
/// matrix (what one product over the block reads and writes); blocks follow each other.
/// Blocks of 4: a block's columns (0.8 MB for D's second layer) go from im2col into the product, or
/// from the product into col2im, while they are in the core's L2 (2 MB here); 4 measured 1.037× the
/// step of 8 (docs/performance.md), and the products (196 columns) stay large enough.
struct BatchLayout {
    let channels: Int, size: Int
    static let samplesPerBlock = 4

    /// Calls `body(first sample, sample count, worker)` for each block of a batch, the blocks
    /// shared out between the cores (each block whole on one, `worker` naming its thread, for scratch
    /// of its own): no join between a block's im2col or col2im and its product, and no product
    /// split unevenly (8 · 49 columns halved into 208 + 184, in parts of 16).
    static func forEachBlockOnTheCores(_ batch: Int, _ body: (_ first: Int, _ count: Int, _ worker: Int) -> Void) {
        let blocks = (batch + samplesPerBlock - 1) / samplesPerBlock
        ParallelLoop.runWithWorker(blocks) { block, worker in
            let first = block * samplesPerBlock
            body(first, min(samplesPerBlock, batch - first), worker)
        }
    }

    /// Where sample b's run of `size` floats of channel 0 starts in the blocked layout, and the
    /// distance between its channels (the block's row length).
    @inline(__always)
    static func place(_ b: Int, batch: Int, floatsPerSample: Int, size: Int) -> (offset: Int, rowStride: Int) {
        let first = b / samplesPerBlock * samplesPerBlock
        let count = min(samplesPerBlock, batch - first)
        return (first * floatsPerSample + (b - first) * size, count * size)
    }

    /// Blocked channel-major from samples (rows `0 ..< batch`), on both cores for large batches.
    func toChannelMajor(_ samples: UnsafePointer<Float>, _ channelMajor: UnsafeMutablePointer<Float>, batch: Int) {
        let p = DisjointPointers(UnsafeMutablePointer(mutating: samples), channelMajor)
        let (channels, size) = (channels, size)
        forEachSampleRange(batch, floatsPerSample: channels * size) { range, _ in
            let (src, dst) = (p.pointers[0], p.pointers[1])
            for b in range {
                let (offset, ld) = Self.place(b, batch: batch, floatsPerSample: channels * size, size: size)
                for c in 0 ..< channels { (dst + offset + c * ld).update(from: src + (b * channels + c) * size, count: size) }
            }
        }
    }

    /// One block's samples (`first ..< first + count`) into their blocked channel-major place, on
    /// this thread (a block's pass on its core).
    func toChannelMajor(_ samples: UnsafePointer<Float>, _ channelMajor: UnsafeMutablePointer<Float>,
                        first: Int, count: Int, batch: Int) {
        for b in first ..< first + count {
            let (offset, ld) = Self.place(b, batch: batch, floatsPerSample: channels * size, size: size)
            for c in 0 ..< channels { (channelMajor + offset + c * ld).update(from: samples + (b * channels + c) * size, count: size) }
        }
    }

    /// Samples from blocked channel-major, plus bias[c] when given.
    func toSamples(_ channelMajor: UnsafePointer<Float>, _ samples: UnsafeMutablePointer<Float>, batch: Int,
                   bias: UnsafePointer<Float>? = nil) {
        let p = DisjointPointers(UnsafeMutablePointer(mutating: channelMajor), samples)
        let b0 = OptionalBias(bias)
        forEachSampleRange(batch, floatsPerSample: channels * size) { range, _ in
            toSamples(p.pointers[0], p.pointers[1], first: range.lowerBound, count: range.count, batch: batch, bias: b0.pointer)
        }
    }

    /// Samples `first ..< first + count` from blocked channel-major, plus bias[c] when given, on
    /// this thread (a block's pass on its core, while its product is in cache).
    func toSamples(_ channelMajor: UnsafePointer<Float>, _ samples: UnsafeMutablePointer<Float>,
                   first: Int, count: Int, batch: Int, bias: UnsafePointer<Float>? = nil) {
        for b in first ..< first + count {
            let (offset, ld) = Self.place(b, batch: batch, floatsPerSample: channels * size, size: size)
            for c in 0 ..< channels {
                let from = channelMajor + offset + c * ld, to = samples + (b * channels + c) * size
                if let bias {
                    let v = bias[c]
                    for i in 0 ..< size { to[i] = from[i] + v }
                } else {
                    to.update(from: from, count: size)
                }
            }
        }
    }
}

/// A layer's weight and bias gradients summed over a batch on both cores, in two fixed halves of
/// its blocks: the first half adds straight into the layer's gradients, the second into a buffer of
/// its own, added to them when both are done. So the sums' rounding does not depend on which core
/// ran which half (bit-exact runs and resumes), and the halves need no join per block.
struct WeightGradientHalves {
    let buffer: UnsafeMutablePointer<Float>, weights: Int, biases: Int

    static func floats(weights: Int, biases: Int) -> Int { (weights + biases + 15) & ~15 }
    init(_ buffer: UnsafeMutablePointer<Float>, weights: Int, biases: Int) {
        (self.buffer, self.weights, self.biases) = (buffer, weights, biases)
    }

    /// Where half `half` adds its weight and bias gradients.
    func gradients(_ half: Int, weight: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>)
        -> (weight: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>) {
        half == 0 ? (weight, bias) : (buffer, buffer + weights)
    }

    /// Calls `body(first, count, worker, half)` for every block of the batch, each half's blocks in
    /// order within one team part, then adds the second half's sums into `weight` and `bias`.
    func accumulate(_ batch: Int, into weight: UnsafeMutablePointer<Float>, _ bias: UnsafeMutablePointer<Float>,
                    _ body: (_ first: Int, _ count: Int, _ worker: Int, _ half: Int) -> Void) {
        let per = BatchLayout.samplesPerBlock
        let blocks = (batch + per - 1) / per, firstHalf = (blocks + 1) / 2
        let sum = DisjointPointers(buffer)
        let floats = weights + biases
        ParallelLoop.runWithWorker(blocks > 1 ? 2 : 1) { half, worker in
            if half == 1 { sum.pointers[0].update(repeating: 0, count: floats) }
            for block in (half == 0 ? 0 ..< firstHalf : firstHalf ..< blocks) {
                let first = block * per
                body(first, min(per, batch - first), worker, half)
            }
        }
        guard blocks > 1 else { return }
        addInPlace(weight, buffer, weights)
        addInPlace(bias, buffer + weights, biases)
    }
}

/// a[i] += b[i] over `0 ..< n`.
func addInPlace(_ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) {
    var i = 0
    let ra = UnsafeMutableRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 16 <= n {
        ra.storeBytes(of: ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                      + rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self), toByteOffset: i * 4, as: SIMD16<Float>.self)
        i += 16
    }
    while i < n { a[i] += b[i]; i += 1 }
}

/// A read-only bias pointer shared by the parts of a job.
struct OptionalBias: @unchecked Sendable {
    let pointer: UnsafePointer<Float>?
    init(_ pointer: UnsafePointer<Float>?) { self.pointer = pointer }
}

/// Calls `body(samples, worker)` with ranges of samples that together cover `0 ..< batch`: two
/// halves on the two cores when the pass is long enough to be worth a team job
/// (`ParallelLoop.parts`), else one; `worker` (0 or 1) names the thread, for scratch of its own.
func forEachSampleRange(_ batch: Int, floatsPerSample: Int, _ body: (Range<Int>, Int) -> Void) {
    let parts = batch >= 2 ? ParallelLoop.parts(for: batch * floatsPerSample) : 1
    let half = (batch + parts - 1) / parts
    ParallelLoop.runWithWorker(parts) { part, worker in
        let start = part * half
        if start < batch { body(start ..< min(batch, start + half), worker) }
    }
}

/// Adds bias[c] to each of `channels` runs of `size` floats.
func addChannelBias(_ y: UnsafeMutablePointer<Float>, _ bias: UnsafeMutablePointer<Float>, channels: Int, size: Int) {
    for c in 0 ..< channels {
        let p = y + c * size, b = bias[c]
        for i in 0 ..< size { p[i] += b }
    }
}

/// grad[c] += Σ of row c of a [channels][length] matrix.
func addRowSums(_ m: UnsafePointer<Float>, into grad: UnsafeMutablePointer<Float>, rows: Int, length: Int) {
    for c in 0 ..< rows { grad[c] += vectorSum(m + c * length, length) }
}

/// Σ p[0 ..< n], in eight lanes (a plain loop is one chain of dependent adds).
@inline(__always)
func vectorSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>(), i = 0
    let raw = UnsafeRawPointer(p)
    while i + 8 <= n {
        acc += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var s = acc.sum()
    while i < n { s += p[i]; i += 1 }
    return s
}

/// Σ a[i] · b[i] over `0 ..< n`, in eight lanes.
@inline(__always)
func vectorDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>(), i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= n {
        acc += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var s = acc.sum()
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}

/// Σ (p[i] − mean)² over `0 ..< n`, in eight lanes.
@inline(__always)
func vectorSquaredDeviations(_ p: UnsafePointer<Float>, _ n: Int, mean: Float) -> Float {
    var acc = SIMD8<Float>(), i = 0
    let raw = UnsafeRawPointer(p), m = SIMD8<Float>(repeating: mean)
    while i + 8 <= n {
        let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - m
        acc += d * d
        i += 8
    }
    var s = acc.sum()
    while i < n { let d = p[i] - mean; s += d * d; i += 1 }
    return s
}
