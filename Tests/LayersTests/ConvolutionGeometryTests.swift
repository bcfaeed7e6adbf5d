import XCTest
import NeuralNet
@testable import Layers

/// im2col and col2im on the active kernel path (`GANTOP_KERNELS`) against their definitions, to the
/// bit: im2col only moves floats, and col2im must add each pixel's taps in (ky, kx) order from 0, as
/// the generic C body does, so that every path trains the same DCGAN. The AVX-512 path has its own
/// body for rows of ≤ 32 floats (every DCGAN layer), the AVX2 path its own phase lines for stride-2
/// rows of ≤ 64 padded floats; the geometries cover both, their edges and the generic body beyond.
final class ConvolutionGeometryTests: XCTestCase {
    private let geometries: [ConvolutionGeometry] = [
        // the DCGAN's: D's two convolutions, G's two transposed ones (as convolutions over their outputs)
        .init(channels: 1, height: 28, width: 28, kernel: 4, stride: 2, padding: 1),
        .init(channels: 64, height: 14, width: 14, kernel: 4, stride: 2, padding: 1),
        // strides 1 and 3, odd sizes, no or wide padding, non-square, rows of 16, 17, 31, 32 and 33
        .init(channels: 3, height: 5, width: 7, kernel: 3, stride: 1, padding: 1),
        .init(channels: 2, height: 9, width: 16, kernel: 3, stride: 1, padding: 0),
        .init(channels: 2, height: 6, width: 17, kernel: 5, stride: 2, padding: 2),
        .init(channels: 2, height: 11, width: 31, kernel: 4, stride: 2, padding: 1),
        .init(channels: 1, height: 8, width: 32, kernel: 2, stride: 2, padding: 0),
        .init(channels: 2, height: 10, width: 10, kernel: 4, stride: 3, padding: 2),
        .init(channels: 1, height: 7, width: 33, kernel: 3, stride: 2, padding: 1),
        .init(channels: 1, height: 4, width: 40, kernel: 3, stride: 1, padding: 1),
        // the AVX2 path's stride-2 rows: 64 padded floats (its widest) and 65 (the generic body)
        .init(channels: 2, height: 5, width: 62, kernel: 4, stride: 2, padding: 1),
        .init(channels: 1, height: 5, width: 63, kernel: 4, stride: 2, padding: 1),
    ]

    /// Every tap of the convolution in (c, ky, kx, oy, ox) order: its index in the columns and the
    /// image pixel it reads, nil where it falls in the padding.
    private func forEachTap(_ g: ConvolutionGeometry, ld: Int, _ body: (_ column: Int, _ pixel: Int?) -> Void) {
        for c in 0 ..< g.channels {
            for ky in 0 ..< g.kernel {
                for kx in 0 ..< g.kernel {
                    let row = (c * g.kernel + ky) * g.kernel + kx
                    for oy in 0 ..< g.outputHeight {
                        for ox in 0 ..< g.outputWidth {
                            let y = oy * g.stride - g.padding + ky, x = ox * g.stride - g.padding + kx
                            let inside = y >= 0 && y < g.height && x >= 0 && x < g.width
                            body(row * ld + oy * g.outputWidth + ox, inside ? (c * g.height + y) * g.width + x : nil)
                        }
                    }
                }
            }
        }
    }

    /// cols[(c, ky, kx)][oy · ow + ox] = image[c][oy·s − p + ky][ox·s − p + kx], 0 outside.
    private func referenceColumns(_ g: ConvolutionGeometry, _ image: [Float], ld: Int) -> [Float] {
        var cols = [Float](repeating: .nan, count: g.patchSize * ld)
        forEachTap(g, ld: ld) { column, pixel in cols[column] = pixel.map { image[$0] } ?? 0 }
        return cols
    }

    /// image + col2im(cols), each pixel's taps summed from 0 in (ky, kx) order, then added.
    private func referenceImage(_ g: ConvolutionGeometry, _ cols: [Float], ld: Int, onto start: [Float]) -> [Float] {
        var sums = [Float](repeating: 0, count: g.imageSize)
        forEachTap(g, ld: ld) { column, pixel in
            if let pixel { sums[pixel] += cols[column] }
        }
        return zip(start, sums).map { $0 + $1 }
    }

    func testIm2colAndCol2imMatchTheirDefinitionsBitForBit() {
        var rng = RandomGenerator(seed: 19)
        for g in geometries {
            let ld = g.positions + 3  // a row stride beyond the runs: nothing may be written there
            var image = [Float](repeating: 0, count: g.imageSize)
            for i in image.indices { image[i] = rng.uniform(-1, 1) }
            var scratch = [Float](repeating: 0, count: g.scratchFloats + 16)
            var cols = [Float](repeating: .nan, count: g.patchSize * ld)
            image.withUnsafeBufferPointer { im in
                cols.withUnsafeMutableBufferPointer { c in
                    scratch.withUnsafeMutableBufferPointer { g.im2col(im.baseAddress!, into: c.baseAddress!, rowStride: ld, scratch: $0.baseAddress!) }
                }
            }
            let expected = referenceColumns(g, image, ld: ld)
            for i in cols.indices where i % ld < g.positions {
                XCTAssertEqual(cols[i].bitPattern, expected[i].bitPattern, "\(g) im2col at \(i)")
                if cols[i].bitPattern != expected[i].bitPattern { break }
            }
            XCTAssertTrue(cols.indices.filter { $0 % ld >= g.positions }.allSatisfy { cols[$0].isNaN }, "\(g): im2col wrote past its runs")

            // col2im of random columns (with values of every magnitude, so that the order of the adds shows)
            var columns = [Float](repeating: 0, count: g.patchSize * ld)
            for i in columns.indices { columns[i] = i % ld < g.positions ? rng.uniform(-1, 1) * Float(1 << (i % 7 * 3)) : .nan }
            var target = [Float](repeating: 0, count: g.imageSize)
            for i in target.indices { target[i] = rng.uniform(-1, 1) }
            let want = referenceImage(g, columns, ld: ld, onto: target)
            columns.withUnsafeBufferPointer { c in
                target.withUnsafeMutableBufferPointer { t in
                    scratch.withUnsafeMutableBufferPointer { g.col2imAdding(c.baseAddress!, into: t.baseAddress!, rowStride: ld, scratch: $0.baseAddress!) }
                }
            }
            for i in target.indices where target[i].bitPattern != want[i].bitPattern {
                XCTFail("\(g) col2im at \(i): \(target[i]) against \(want[i])")
                break
            }
        }
    }
}
