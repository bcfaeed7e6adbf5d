import XCTest
import GANView

final class AxisFormatTests: XCTestCase {
    func testNiceTicksForAKnownRange() {
        let (ticks, step) = Axis.niceTicks(0.13, 1.87, maxCount: 5)
        XCTAssertEqual(step, 0.5)
        XCTAssertEqual(ticks, [0, 0.5, 1, 1.5, 2])
        XCTAssertEqual(Axis.labels(ticks, step: step), ["0.0", "0.5", "1.0", "1.5", "2.0"])
    }

    func testNiceTicksOtherRanges() {
        XCTAssertEqual(Axis.niceTicks(0, 12_345, maxCount: 8).ticks,
                       [0, 2000, 4000, 6000, 8000, 10000, 12000, 14000])
        XCTAssertEqual(Axis.niceTicks(-4, 4, maxCount: 9).ticks, [-4, -3, -2, -1, 0, 1, 2, 3, 4])
        let small = Axis.niceTicks(0.6812, 0.7034, maxCount: 4)
        XCTAssertEqual(small.step, 0.01, accuracy: 1e-12)
        XCTAssertEqual(Axis.labels(small.ticks, step: small.step), ["0.68", "0.69", "0.70", "0.71"])
        // Degenerate and non-finite ranges still give at least two distinct ticks.
        XCTAssertGreaterThanOrEqual(Axis.niceTicks(1, 1, maxCount: 5).ticks.count, 2)
        XCTAssertEqual(Axis.niceTicks(.nan, .infinity, maxCount: 3).ticks, [0, 0.5, 1])
        for count in 2...12 {
            XCTAssertLessThanOrEqual(Axis.niceTicks(0.37, 917.2, maxCount: count).ticks.count, count)
        }
    }

    func testFixed() {
        XCTAssertEqual(Fmt.fixed(3.14159, 2), "3.14")
        XCTAssertEqual(Fmt.fixed(-0.0004, 3), "0.000")
        XCTAssertEqual(Fmt.fixed(-2.5, 1), "-2.5")
        XCTAssertEqual(Fmt.fixed(0.6931, 3), "0.693")
        XCTAssertEqual(Fmt.fixed(12.0, 0), "12")
        XCTAssertEqual(Fmt.fixed(0.05, 2), "0.05")
        XCTAssertEqual(Fmt.fixed(Double.nan, 2), "nan")
        XCTAssertEqual(Fmt.fixed(-Double.infinity, 2), "-inf")
        XCTAssertEqual(Fmt.fixed(Float(0.25), 1), "0.3")
    }

    func testGroupedAndCompact() {
        XCTAssertEqual(Fmt.grouped(0), "0")
        XCTAssertEqual(Fmt.grouped(999), "999")
        XCTAssertEqual(Fmt.grouped(12_345), "12,345")
        XCTAssertEqual(Fmt.grouped(-1_234_567), "-1,234,567")
        XCTAssertEqual(Fmt.compact(0), "0")
        XCTAssertEqual(Fmt.compact(500), "500")
        XCTAssertEqual(Fmt.compact(1000), "1k")
        XCTAssertEqual(Fmt.compact(1250), "1.25k")
        XCTAssertEqual(Fmt.compact(12_300), "12.3k")
        XCTAssertEqual(Fmt.compact(120_000), "120k")
        XCTAssertEqual(Fmt.compact(1_500_000), "1.5M")
        XCTAssertEqual(Fmt.compact(-2000), "-2k")
    }
}
