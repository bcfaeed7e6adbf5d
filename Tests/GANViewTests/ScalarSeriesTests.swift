import XCTest
import GANView

final class ScalarSeriesTests: XCTestCase {
    func testMemoryStaysBoundedAndTheWholeRunStaysCovered() {
        var s = ScalarSeries(capacity: 64)
        for step in 0..<100_000 { s.append(step: step, value: Float(step % 7)) }
        XCTAssertLessThanOrEqual(s.count, 65)
        XCTAssertGreaterThanOrEqual(s.count, 32)
        XCTAssertEqual(s.points.first?.step, 0, "the first step stays")
        XCTAssertEqual(s.last, ScalarPoint(step: 99_999, value: Float(99_999 % 7)), "the newest value is kept exactly")
        XCTAssertEqual(s.totalAppended, 100_000)
        let steps = s.points.map(\.step)
        XCTAssertEqual(steps, steps.sorted(), "points stay in step order")
        XCTAssertGreaterThan(steps[steps.count - 2], 90_000, "the end of the run is covered")
    }

    func testPurgeDropsTheRestartedStepsAndKeepsEarlierOnes() {
        var s = ScalarSeries(capacity: 16)
        for step in 0..<10 { s.append(step: step, value: Float(step)) }
        s.purge(fromStep: 4)
        XCTAssertEqual(s.points.map(\.step), [0, 1, 2, 3])
        XCTAssertEqual(s.last?.step, 3)
        s.append(step: 4, value: 40)
        XCTAssertEqual(s.points.last, ScalarPoint(step: 4, value: 40))
    }

    func testSmoothingFollowsSlowlyAndSkipsNaN() {
        var s = ScalarSeries(capacity: 16)
        s.append(step: 0, value: 0)
        s.append(step: 1, value: .nan)
        s.append(step: 2, value: 10)
        let smooth = s.smoothed(alpha: 0.5)
        XCTAssertEqual(smooth[0].value, 0)
        XCTAssertTrue(smooth[1].value.isNaN, "a NaN is a gap")
        XCTAssertEqual(smooth[2].value, 5, accuracy: 1e-6)
    }
}
