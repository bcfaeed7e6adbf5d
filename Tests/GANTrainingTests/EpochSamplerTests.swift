import XCTest
import NeuralNet
@testable import GANTraining

final class EpochSamplerTests: XCTestCase {
    func testEachEpochVisitsEveryImageOnce() {
        var sampler = EpochSampler(count: 50, seed: 3)
        for epoch in 1 ... 3 {
            var seen = Set<Int>()
            for _ in 0 ..< 50 { seen.insert(sampler.next()) }
            XCTAssertEqual(seen.count, 50, "epoch \(epoch) is not a permutation")
            XCTAssertEqual(sampler.epoch, epoch)
        }
    }

    func testEpochsAreShuffledDifferently() {
        var sampler = EpochSampler(count: 100, seed: 3)
        let first = (0 ..< 100).map { _ in sampler.next() }
        let second = (0 ..< 100).map { _ in sampler.next() }
        XCTAssertNotEqual(first, second)
        XCTAssertNotEqual(first, Array(0 ..< 100))
    }

    func testRestoringEpochAndPositionContinuesTheSameSequence() {
        var original = EpochSampler(count: 37, seed: 11)
        for _ in 0 ..< 60 { _ = original.next() }
        var restored = EpochSampler(count: 37, seed: 11, epoch: original.epoch, position: original.position)
        for _ in 0 ..< 100 { XCTAssertEqual(original.next(), restored.next()) }
    }

    func testFillScalesBytesToMinusOneOne() {
        let images = MNISTImages(pixels: [UInt8](repeating: 0, count: 784) + [UInt8](repeating: 255, count: 784), count: 2)
        var sampler = EpochSampler(count: 2, seed: 1)
        let arena = FloatArena(capacity: 2 * 784)
        let batch = arena.matrix(rows: 2, cols: 784)
        sampler.fill(batch, from: images)
        let values = Set(batch.toArray())
        XCTAssertEqual(values, [-1, 1])
    }

    /// `fill` draws exactly the images `next()` would, in order, across epoch ends, whether the
    /// batch is converted on one core or shared between two.
    func testFillDrawsTheImagesNextWould() {
        let images = MNISTImages.synthetic(count: 100, state: 5)
        for rows in [8, 64] {
            var filling = EpochSampler(count: 100, seed: 9), stepping = filling
            let arena = FloatArena(capacity: rows * 784)
            let batch = arena.matrix(rows: rows, cols: 784)
            for round in 0 ..< 40 {
                filling.fill(batch, from: images)
                for r in 0 ..< rows {
                    let index = stepping.next()
                    let expected = images.pixels[index * 784 ..< (index + 1) * 784].map { Float($0) * (2 / 255) - 1 }
                    XCTAssertEqual(Array(batch.buffer[r * 784 ..< (r + 1) * 784]), expected, "rows \(rows), round \(round), row \(r)")
                }
                XCTAssertEqual(filling.epoch, stepping.epoch)
                XCTAssertEqual(filling.position, stepping.position)
            }
        }
    }
}
