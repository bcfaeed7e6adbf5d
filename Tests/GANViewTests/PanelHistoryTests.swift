import XCTest
import GANView

/// The bounded history behind `[` / `]` / Home / End: what it keeps, what it costs, and where
/// the cursor lands.
final class PanelHistoryTests: XCTestCase {
    /// 16 digits whose pixels encode `step`, so a frame's content says which step it came from.
    func digits(step: Int) -> [[Float]] {
        let level = Float(step % 200) / 100 - 1
        return (0 ..< FrameSnapshot.digitCount).map { _ in [Float](repeating: level, count: 784) }
    }

    /// Steps 0 ..< `steps`, recording whenever the history says a frame is due (as the model does).
    func history(steps: Int, capacity: Int = 8, interval: Int = 10, gan1d: Gan1DPanelData? = nil) -> PanelHistory {
        var h = PanelHistory(capacity: capacity, interval: interval)
        for step in 0 ..< steps where h.isDue(atStep: step) {
            h.record(PanelFrame(step: step, digits: digits(step: step), gan1d: gan1d))
        }
        return h
    }

    func testRecordsTheFirstFrameAndThenEveryInterval() {
        XCTAssertTrue(PanelHistory().isDue(atStep: 12_345), "the first frame is due at whatever step the run starts")
        let h = history(steps: 55)
        XCTAssertEqual(h.frames.map(\.step), [0, 10, 20, 30, 40, 50])
        XCTAssertEqual(h.interval, 10)
    }

    func testThinningKeepsTheFirstAndTheNewestAndDoublesTheInterval() {
        let h = history(steps: 81)  // 0…70 fill the 8 slots; 80 thins to 0, 20, 40, 60 and appends
        XCTAssertEqual(h.frames.map(\.step), [0, 20, 40, 60, 80])
        XCTAssertEqual(h.interval, 20)
        XCTAssertEqual(h.frames.last?.digitBytes, PanelFrame(step: 80, digits: digits(step: 80), gan1d: nil).digitBytes)
        let long = history(steps: 100_000)
        XCTAssertEqual(long.frames.first?.step, 0, "the start of the run stays reachable")
        XCTAssertGreaterThan(long.frames.last!.step, 100_000 - 2 * long.interval, "the newest frame is recent")
        let gaps = Set(zip(long.frames.dropFirst(), long.frames).map { $0.step - $1.step })
        XCTAssertEqual(gaps, [long.interval], "frames stay evenly spaced")
    }

    func testMemoryStaysBoundedOverALongRun() {
        // The default history over a million steps, with a 149-bin 1-D panel (160 columns).
        let bins = 149
        let panel = Gan1DPanelData(targetName: "normal", xMin: 0, xMax: 1,
                                   generatedDensity: .init(repeating: 1, count: bins), dataDensity: .init(repeating: 1, count: bins),
                                   discriminator: .init(repeating: 0.5, count: bins),
                                   mapping: (0 ..< 16).map { MappingPoint(z: Float($0), x: 0) }, ks: 0, js: 0)
        var h = PanelHistory()
        var maxCount = 0, maxBytes = 0
        for step in 0 ..< 1_000_000 where h.isDue(atStep: step) {
            h.record(PanelFrame(step: step, digits: digits(step: step), gan1d: panel))
            maxCount = max(maxCount, h.frames.count)
            maxBytes = max(maxBytes, h.byteCount)
        }
        XCTAssertEqual(maxCount, PanelHistory.defaultCapacity)
        XCTAssertEqual(h.frames.first?.step, 0)
        XCTAssertGreaterThanOrEqual(h.frames.count, PanelHistory.defaultCapacity / 2)
        let perFrame = 16 * 784 + bins * 12 + 16 * 8
        XCTAssertEqual(maxBytes, 256 * perFrame)
        XCTAssertLessThan(maxBytes, 3_800_000, "docs/screen.md states about 3.7 MB at 160 columns")
    }

    func testDigitsSurviveTheByteEncodingWithinHalfAGreyLevel() {
        let values: [Float] = (0 ..< 784).map { Float($0) / 391.5 - 1 }
        let frame = PanelFrame(step: 3, digits: Array(repeating: values, count: 16), gan1d: nil)
        XCTAssertEqual(frame.digitBytes.count, 16 * 784)
        let back = frame.digits
        XCTAssertEqual(back.count, 16)
        XCTAssertTrue(back.allSatisfy { $0.count == 784 })
        let worst = zip(back[15], values).map { abs($0 - $1) }.max()!
        XCTAssertLessThanOrEqual(worst, 1 / 127.5)
        XCTAssertEqual(DigitGrid.greyLevel(back[0][0]), DigitGrid.greyLevel(-1))
        let odd = PanelFrame(step: 0, digits: [[.nan, .infinity, 5, -5]], gan1d: nil)
        XCTAssertEqual(odd.digitBytes, [0, 0, 255, 0], "non-finite reads as background, out of range is clamped")
    }

    func testLookupByStep() {
        let h = history(steps: 55)
        XCTAssertEqual(h.frame(atOrBefore: 37)?.step, 30)
        XCTAssertEqual(h.frame(atOrBefore: 30)?.step, 30)
        XCTAssertEqual(h.frame(atOrBefore: -5)?.step, 0, "before the first frame: the first")
        XCTAssertEqual(h.frame(atOrBefore: 999)?.step, 50)
        XCTAssertEqual(h.step(before: 30), 20)
        XCTAssertNil(h.step(before: 0))
        XCTAssertEqual(h.step(after: 30), 40)
        XCTAssertNil(h.step(after: 50))
        XCTAssertNil(PanelHistory().frame(atOrBefore: 0))
    }

    // MARK: - The cursor

    func testBackFromLiveSkipsAFrameOfTheLiveStepAndStopsAtTheOldest() {
        let h = history(steps: 55)  // frames 0…50
        var c = HistoryCursor()
        c.back(in: h, liveStep: 50)
        XCTAssertEqual(c.step, 40, "the frame of the live step looks like live: one further back")
        c = HistoryCursor()
        c.back(in: h, liveStep: 54)
        XCTAssertEqual(c.step, 50)
        for _ in 0 ..< 10 { c.back(in: h, liveStep: 54) }
        XCTAssertEqual(c.step, 0)
        var atStart = HistoryCursor()
        atStart.back(in: history(steps: 1), liveStep: 0)
        XCTAssertTrue(atStart.isLive, "nothing older than live yet")
    }

    func testForwardPastTheNewestReturnsToLive() {
        let h = history(steps: 55)
        var c = HistoryCursor(step: 30)
        c.forward(in: h, liveStep: 54)
        XCTAssertEqual(c.step, 40)
        c.forward(in: h, liveStep: 54)
        XCTAssertEqual(c.step, 50)
        c.forward(in: h, liveStep: 54)
        XCTAssertTrue(c.isLive)
        var equalToLive = HistoryCursor(step: 40)
        equalToLive.forward(in: h, liveStep: 50)
        XCTAssertTrue(equalToLive.isLive, "the frame of the live step is live")
        c.forward(in: h, liveStep: 54)
        XCTAssertTrue(c.isLive)
    }

    func testHomeAndEnd() {
        let h = history(steps: 55)
        var c = HistoryCursor()
        c.oldest(in: h, liveStep: 54)
        XCTAssertEqual(c.step, 0)
        c.returnToLive()
        XCTAssertTrue(c.isLive)
        c.oldest(in: history(steps: 1), liveStep: 0)
        XCTAssertTrue(c.isLive, "at step 0 the oldest frame is live")
    }

    func testAFrameThinnedAwayStillMovesBack() {
        var c = HistoryCursor()
        c.back(in: history(steps: 75), liveStep: 75)  // frames 0…70: views 70
        XCTAssertEqual(c.step, 70)
        let thinned = history(steps: 81)  // 0, 20, 40, 60, 80: 70 is gone
        XCTAssertEqual(FrameSnapshot(step: 81, panelHistory: thinned).showing(c).shownFrame?.step, 60)
        c.back(in: thinned, liveStep: 81)
        XCTAssertEqual(c.step, 40, "back from the frame shown (60), not from the vanished 70")
    }

    // MARK: - On screen

    func testScrubbedScreenShowsTheRecordedStepAndSaysSo() {
        let panel = FrameSnapshot.demo(step: 1, gan1DBins: 149).gan1d!
        var h = PanelHistory()
        let ink = (0 ..< 16).map { _ in [Float](repeating: 1, count: 784) }
        h.record(PanelFrame(step: 1_200, digits: ink, gan1d: panel))
        let blank = (0 ..< 16).map { _ in [Float](repeating: -1, count: 784) }
        let live = FrameSnapshot(step: 5_340, digits: blank, gan1d: panel, panelHistory: h)
        let layout = Screen.layout(width: 160, height: 50)
        func render(_ s: FrameSnapshot) -> CellBuffer {
            Screen.render(s, options: ViewOptions(unicodeDigits: false), width: 160, height: 50, colorMode: .none)
        }
        let liveScreen = render(live.showing(HistoryCursor()))
        XCTAssertEqual(liveScreen.text(), render(live).text(), "a live cursor changes nothing")
        XCTAssertFalse(liveScreen.text().contains("history"))
        XCTAssertFalse(glyphs(in: liveScreen, layout.digits.inset(1)).contains { $0 == "@" })

        var cursor = HistoryCursor()
        cursor.back(in: h, liveStep: live.step)
        let past = render(live.showing(cursor))
        XCTAssertTrue(past.row(layout.digits.y).contains("Samples G(z) · step 1,200 (history)"), past.row(layout.digits.y))
        XCTAssertTrue(past.row(layout.gan1D.y).contains("· step 1,200 (history)"), past.row(layout.gan1D.y))
        XCTAssertGreaterThan(glyphs(in: past, layout.digits.inset(1)).filter { $0 == "@" }.count, 16 * 50,
                             "the grid shows the recorded (all ink) digits, not the live (blank) ones")
        XCTAssertEqual(glyphs(in: past, layout.lossChart), glyphs(in: liveScreen, layout.lossChart), "the loss chart stays live")
    }

    func testStatusBarSaysWhichStepIsShownAndThatTrainingIsLive() {
        var h = PanelHistory()
        h.record(PanelFrame(step: 1_200, digits: [], gan1d: nil))
        let s = FrameSnapshot(state: .running, step: 5_340, seed: 7, panelHistory: h).showing(HistoryCursor(step: 1_200))
        var wide = CellBuffer(width: 160, height: 2)
        StatusBar.render(s, into: &wide, rect: wide.bounds, theme: Theme(mode: .palette256))
        XCTAssertTrue(wide.row(0).contains("epoch 0  live step 5,340  viewing step 1,200 · End: live"), wide.row(0))
        XCTAssertLessThan(wide.row(0).range(of: "step 5,340")!.lowerBound, wide.row(0).range(of: "step 1,200")!.lowerBound,
                          "the first step on the bar is the live one (scripts read it)")
        var narrow = CellBuffer(width: 80, height: 1)
        let busy = FrameSnapshot(state: .paused, epoch: 3, step: 5_340, stepsPerSecond: 187, dLoss: 0.69, gLoss: 1.2,
                                 dReal: 0.6, dFake: 0.4, seed: 7, panelHistory: h).showing(HistoryCursor(step: 1_200))
        StatusBar.render(busy, into: &narrow, rect: narrow.bounds, theme: Theme(mode: .palette256))
        XCTAssertTrue(narrow.row(0).contains("live step 5,340  viewing 1,200"), narrow.row(0))
        var live = CellBuffer(width: 160, height: 2)
        StatusBar.render(s.showing(HistoryCursor()), into: &live, rect: live.bounds, theme: Theme(mode: .palette256))
        XCTAssertTrue(live.row(0).contains("epoch 0  step 5,340") && !live.row(0).contains("viewing"), live.row(0))
    }
}
