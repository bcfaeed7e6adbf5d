import XCTest
@testable import GANView

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

final class LossChartAxisTests: XCTestCase {
    func testStepAxisEndsAtARoundNumberAtMostAThirdPastTheLastStep() {
        XCTAssertEqual(LossChart.xRange(first: 0, last: 5000).1, 5000)
        XCTAssertEqual(LossChart.xRange(first: 0, last: 5001).1, 6000)
        XCTAssertEqual(LossChart.xRange(first: 0, last: 123).1, 150)
        XCTAssertEqual(LossChart.xRange(first: 7, last: 7).1, 8, "a single step still gets a span")
        XCTAssertEqual(LossChart.xRange(first: 100, last: 1100).0, 100)
        for last in stride(from: 1, through: 200_000, by: 37) {
            let (x0, x1) = LossChart.xRange(first: 0, last: last)
            XCTAssertEqual(x0, 0)
            XCTAssertGreaterThanOrEqual(x1, Double(last))
            XCTAssertLessThanOrEqual(x1, Double(last) * 4 / 3 + 1, "step \(last)")
        }
    }

    /// While the curves grow into a fixed axis, a frame changes only cells at their tips.
    func testAGrowingHistoryChangesOnlyTheTipOfTheChart() {
        var history = LossHistory()
        func grow(to step: Int) {
            while history.totalAppended < step {
                let s = history.totalAppended + 1
                // Extremes early on, so the y axis is fixed too.
                let wave = Float(s % 97) / 97
                history.append(step: s, d: s < 50 ? Float(s % 2) : 0.2 + 0.6 * wave, g: s < 50 ? Float(s % 2) : 0.8 - 0.6 * wave)
            }
        }
        let rect = Rect(x: 0, y: 0, width: 100, height: 30)
        func render() -> CellBuffer {
            var buffer = CellBuffer(width: 100, height: 30)
            LossChart.render(history, smoothing: false, into: &buffer, rect: rect, theme: Theme(mode: .none))
            return buffer
        }
        grow(to: 5_100)
        let before = render()
        grow(to: 5_150)
        let changes = render().changes(from: before)
        XCTAssertFalse(changes.isEmpty)
        // The tips (from step 5,100 of 6,000, at 85 % of the width) and the few columns where the
        // history's old, averaged part meets its newest points; a rescaled axis changes hundreds.
        XCTAssertLessThanOrEqual(changes.count, 40, "\(changes.count) cells changed")
        XCTAssertGreaterThan(changes.filter { $0.x > 80 }.count, 0, "the tips moved")
    }
}
