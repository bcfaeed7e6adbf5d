import XCTest
import GANView

final class LossHistoryTests: XCTestCase {
    func testStaysBoundedAndKeepsFirstAndLastStepsAfterAMillionAppends() {
        var h = LossHistory()
        for i in 0..<1_000_000 { h.append(step: i, d: Float(i), g: 1) }
        XCTAssertEqual(h.totalAppended, 1_000_000)
        XCTAssertLessThan(h.count, 4096)
        let pts = h.points
        XCTAssertEqual(pts.count, h.count)
        XCTAssertEqual(h.firstStep, 0)
        XCTAssertEqual(h.lastStep, 999_999)
        XCTAssertEqual(pts.first?.step, 0)
        XCTAssertEqual(pts.last?.step, 999_999)
        for k in 1..<pts.count { XCTAssertLessThan(pts[k - 1].step, pts[k].step) }
        // The newest half is at full resolution.
        let tail = pts.suffix(2048)
        XCTAssertEqual(tail.first?.step, 999_999 - 2047)
        // Old buckets average their raw points: d = step, so a bucket of span k starting at s has s + (k-1)/2.
        let span = Float(h.bucketSpan)
        XCTAssertEqual(pts[0].d, (span - 1) / 2, accuracy: 0.5)
        XCTAssertEqual(pts[10].d, Float(pts[10].step) + (span - 1) / 2, accuracy: 0.5)
        // The old part is covered uniformly by about capacity/4 buckets or more.
        XCTAssertGreaterThanOrEqual(pts.count - 2048, 1000)
    }

    func testShortHistoryIsExact() {
        var h = LossHistory(capacity: 16)
        XCTAssertTrue(h.isEmpty)
        XCTAssertNil(h.firstStep)
        for i in 0..<8 { h.append(step: i * 10, d: Float(i), g: -Float(i)) }
        XCTAssertEqual(h.points.map(\.step), [0, 10, 20, 30, 40, 50, 60, 70])
        XCTAssertEqual(h.points(in: 15...45).map(\.step), [20, 30, 40])
        XCTAssertEqual(h.points(in: 100...200), [])
    }

    func testSmallCapacityStaysBounded() {
        var h = LossHistory(capacity: 16)
        for i in 0..<10_000 {
            h.append(step: i, d: 1, g: 2)
            XCTAssertLessThan(h.count, 16)
        }
        XCTAssertEqual(h.firstStep, 0)
        XCTAssertEqual(h.lastStep, 9_999)
        XCTAssertTrue(h.points.allSatisfy { $0.d == 1 && $0.g == 2 })
    }

    func testSmoothing() {
        var h = LossHistory()
        for i in 0..<100 { h.append(step: i, d: 2, g: i < 50 ? 0 : 1) }
        let s = h.smoothed(alpha: 0.1)
        XCTAssertEqual(s.count, 100)
        XCTAssertTrue(s.allSatisfy { $0.d == 2 })
        XCTAssertEqual(s[49].g, 0)
        XCTAssertGreaterThan(s[50].g, 0)
        XCTAssertLessThan(s[50].g, 0.2)
        for k in 51..<100 { XCTAssertGreaterThan(s[k].g, s[k - 1].g) }
        XCTAssertLessThan(s[99].g, 1)
        XCTAssertEqual(h.smoothed(alpha: 1).map(\.g), h.points.map(\.g))
    }

    func testNonFiniteValuesDoNotPoisonBuckets() {
        var h = LossHistory(capacity: 16)
        for i in 0..<1000 { h.append(step: i, d: i % 7 == 3 ? .nan : 1, g: 1) }
        let old = h.points.prefix(4)
        XCTAssertTrue(old.allSatisfy { $0.d == 1 })
        var s = LossHistory()
        s.append(step: 0, d: 1, g: 1)
        s.append(step: 1, d: .nan, g: 1)
        s.append(step: 2, d: 1, g: 1)
        let sm = s.smoothed()
        XCTAssertTrue(sm[1].d.isNaN)
        XCTAssertEqual(sm[2].d, 1)
    }
}
