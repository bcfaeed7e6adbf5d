import XCTest
import NeuralNet

/// Matrix views, FloatArena and ParameterSet: layout, alignment, isolation and round trips.
final class StorageTests: NeuralNetTestCase {
    private func isAligned64(_ p: UnsafeMutablePointer<Float>) -> Bool { UInt(bitPattern: p) % 64 == 0 }

    // MARK: Matrix

    func testMatrixViewsAreRowMajorAndShareStorage() {
        let m = matrix(3, 4, (0 ..< 12).map(Float.init))
        XCTAssertEqual(m[1, 2], 6)
        XCTAssertEqual(m[2, 3], 11)
        let middle = m.rows(1, count: 2)
        XCTAssertEqual(middle.base, m.base + 4)
        XCTAssertEqual(middle.rows, 2)
        XCTAssertEqual(middle.cols, 4)
        XCTAssertEqual(middle.toArray(), (4 ..< 12).map(Float.init))
        middle[0, 0] = -1
        XCTAssertEqual(m[1, 0], -1, "views share storage")
        XCTAssertEqual(m.prefix(rows: 1).toArray(), [0, 1, 2, 3])
        XCTAssertEqual(m.rows(3, count: 0).count, 0)

        m.rows(2, count: 1).fill(9)
        XCTAssertEqual(m.toArray(), [0, 1, 2, 3, -1, 5, 6, 7, 9, 9, 9, 9])
        let other = matrix(4, 2)
        other.copy(from: m.prefix(rows: 2))  // same count, different shape
        XCTAssertEqual(other.toArray(), [0, 1, 2, 3, -1, 5, 6, 7])
        XCTAssertEqual(other[3, 0], 6)
    }

    // MARK: FloatArena

    func testFloatArenaMatricesAreAlignedDisjointAndZeroed() {
        let shapes: [(rows: Int, cols: Int)] = [(3, 5), (1, 1), (7, 16), (4, 4), (2, 9), (1, 17)]
        let capacity = FloatArena.capacity(for: shapes)
        // 15→16, 1→16, 112, 16, 18→32, 17→32.
        XCTAssertEqual(capacity, 16 + 16 + 112 + 16 + 32 + 32)
        let arena = keep(FloatArena(capacity: capacity))
        XCTAssertEqual(arena.capacity, capacity)
        // Carving exactly `capacity(for:)` must fit (it would trap otherwise).
        let ms = shapes.map { arena.matrix(rows: $0.rows, cols: $0.cols) }
        for (m, s) in zip(ms, shapes) {
            XCTAssertTrue(isAligned64(m.base), "\(s) at \(m.base)")
            XCTAssertEqual(m.rows, s.rows)
            XCTAssertEqual(m.cols, s.cols)
            XCTAssertTrue(m.toArray().allSatisfy { $0 == 0 })
        }
        let ranges = ms.map { m in (UInt(bitPattern: m.base), UInt(bitPattern: m.base + m.count)) }
        for i in ranges.indices {
            for j in ranges.indices where i < j {
                XCTAssertTrue(ranges[i].1 <= ranges[j].0 || ranges[j].1 <= ranges[i].0, "matrices \(i) and \(j) overlap")
            }
        }
        // Writing one leaves the others alone.
        for (k, m) in ms.enumerated() { m.fill(Float(k + 1)) }
        for (k, m) in ms.enumerated() {
            XCTAssertTrue(m.toArray().allSatisfy { $0 == Float(k + 1) }, "matrix \(k) clobbered")
        }
    }

    // MARK: ParameterSet

    private func makeSet() -> ParameterSet {
        keep(ParameterSet(shapes: [("a", [3, 5]), ("b", [5]), ("c", [17]), ("d", [2, 3, 4]), ("e", [16]), ("f", [1])]))
    }

    func testEntriesAreAlignedAndDisjoint() {
        let ps = makeSet()
        XCTAssertEqual(ps.entries.map(\.name), ["a", "b", "c", "d", "e", "f"])
        XCTAssertEqual(ps.entries.map(\.count), [15, 5, 17, 24, 16, 1])
        XCTAssertEqual(ps.entries.map(\.offset), [0, 16, 32, 64, 96, 112])
        XCTAssertEqual(ps.count, 128)
        var end = 0
        for e in ps.entries {
            XCTAssertEqual(e.offset % 16, 0, e.name)
            XCTAssertGreaterThanOrEqual(e.offset, end, "\(e.name) overlaps its predecessor")
            end = e.offset + e.count
        }
        XCTAssertLessThanOrEqual(end, ps.count)
        for block in ParameterSet.Block.allCases {
            let p = ps.pointer(block)
            for e in ps.entries { XCTAssertTrue(isAligned64(p + e.offset), "\(block) \(e.name)") }
            XCTAssertTrue((0 ..< ps.count).allSatisfy { p[$0] == 0 }, "\(block) starts zeroed")
        }
        // The four blocks are distinct memory.
        let bases = ParameterSet.Block.allCases.map { UInt(bitPattern: ps.pointer($0)) }.sorted()
        for (x, y) in zip(bases, bases.dropFirst()) { XCTAssertGreaterThanOrEqual(y - x, UInt(ps.count * 4)) }

        // Views: matrices keep rows, 1-D tensors become one row, higher ranks fold into columns.
        let d = ps.entry(named: "d")!
        XCTAssertEqual(ps.value(d).rows, 2)
        XCTAssertEqual(ps.value(d).cols, 12)
        XCTAssertEqual(ps.value(ps.entry(named: "b")!).rows, 1)
        XCTAssertEqual(ps.value(ps.entry(named: "b")!).cols, 5)
        XCTAssertEqual(ps.grad(d).base, ps.grads + 64)
        XCTAssertNil(ps.entry(named: "zz"))
    }

    func testAllFiniteDetectsNaNAndInfinity() {
        let ps = makeSet()
        var rng = RandomGenerator(seed: 1)
        rng.fillUniform(UnsafeMutableBufferPointer(start: ps.values, count: ps.count), -5, 5)
        XCTAssertTrue(ps.allFinite())
        let c = ps.entry(named: "c")!
        for bad in [Float.nan, .infinity, -.infinity, .signalingNaN] {
            for index in [0, c.offset + 16, ps.count - 1] {
                let saved = ps.values[index]
                ps.values[index] = bad
                XCTAssertFalse(ps.allFinite(), "\(bad) at \(index)")
                ps.values[index] = saved
                XCTAssertTrue(ps.allFinite())
            }
        }
        ps.values[3] = .greatestFiniteMagnitude
        ps.values[4] = -.greatestFiniteMagnitude
        ps.values[5] = .leastNonzeroMagnitude
        XCTAssertTrue(ps.allFinite(), "huge but finite values are finite")
    }

    func testLoadAndArraysRoundTripPerBlock() {
        let ps = makeSet()
        var expected: [ParameterSet.Block: [[Float]]] = [:]
        for (k, block) in ParameterSet.Block.allCases.enumerated() {
            expected[block] = ps.entries.enumerated().map { i, e in
                (0 ..< e.count).map { Float(k * 1000 + i * 100 + $0) }
            }
            for (e, data) in zip(ps.entries, expected[block]!) { ps.load(data, into: e, block: block) }
        }
        for block in ParameterSet.Block.allCases {
            let arrays = ps.arrays(of: block)
            XCTAssertEqual(arrays.map(\.entry), ps.entries)
            XCTAssertEqual(arrays.map(\.data), expected[block]!, "\(block)")
        }
        // Loads stay inside their tensor: padding is untouched.
        XCTAssertEqual(ps.values[15], 0)
        XCTAssertEqual(ps.values[ps.entry(named: "d")!.offset + 24], 0)
        XCTAssertEqual(ps.value(ps.entry(named: "a")!)[1, 2], 7)

        ps.zeroGrads()
        XCTAssertTrue(ps.arrays(of: .grads).allSatisfy { $0.data.allSatisfy { $0 == 0 } })
        XCTAssertEqual(ps.arrays(of: .values).map(\.data), expected[.values]!, "zeroGrads leaves values")
        XCTAssertEqual(ps.arrays(of: .firstMoment).map(\.data), expected[.firstMoment]!)
    }
}
