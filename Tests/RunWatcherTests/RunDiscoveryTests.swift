import XCTest
import GANView
@testable import RunWatcher

final class RunDiscoveryTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("RunDiscoveryTests-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: root)
        super.tearDown()
    }

    private func makeRun(_ relative: String, rows: Int) throws {
        let dir = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let text = "step,epoch,d_loss,g_loss,d_real,d_fake\n" + (1...rows).map { "\($0),0,0.5,1.5,0.5,0.5\n" }.joined()
        try text.write(to: dir.appendingPathComponent("losses.csv"), atomically: true, encoding: .utf8)
    }

    func testAnEmptyDirectoryWaitsWithAClearMessageThenFindsRunsAsTheyAppear() throws {
        let watcher = LogdirWatcher(logdir: root.path)
        watcher.rescanInterval = 0
        let before = WatchFrameBuilder().frame(WatchSnapshot(logdir: root.path), controls: WatchControls(), now: 1)
        XCTAssertEqual(before.note, "reading \(root.path)…", "before the first poll is done")
        let frame = WatchFrameBuilder().frame(watcher.poll(now: 1), controls: WatchControls(), now: 1)
        XCTAssertEqual(frame.state, .waiting)
        XCTAssertTrue(frame.note.contains("no runs under \(root.path) yet"), frame.note)
        try makeRun("b/deep", rows: 3)
        try makeRun("a", rows: 2)
        let snapshot = watcher.poll(now: 2)
        XCTAssertEqual(snapshot.runs.map(\.name), ["a", "b/deep"])
        XCTAssertEqual(snapshot.runs.map(\.lastStep), [2, 3])
    }

    func testRunSwitchingAndOverlay() throws {
        try makeRun("a", rows: 2)
        try makeRun("b", rows: 4)
        let snapshot = LogdirWatcher(logdir: root.path).poll(now: 1)
        var controls = WatchControls()
        let builder = WatchFrameBuilder()
        XCTAssertEqual(builder.frame(snapshot, controls: controls, now: 1).runName, "a")
        controls.switchRun(by: 1, in: snapshot.runs)
        var frame = builder.frame(snapshot, controls: controls, now: 1)
        XCTAssertEqual(frame.runName, "b")
        XCTAssertEqual(frame.step, 4)
        XCTAssertEqual(frame.runs.map(\.isCurrent), [false, true])
        controls.switchRun(by: 1, in: snapshot.runs)
        XCTAssertEqual(controls.runName, "a", "wraps around")
        controls.overlay = true
        frame = builder.frame(snapshot, controls: controls, now: 1)
        XCTAssertEqual(frame.series.map(\.label), ["a D", "a G", "b D", "b G"])
        XCTAssertEqual(frame.series.map(\.dashed), [false, true, false, true], "G dashed, each run its colour")
        XCTAssertEqual(frame.series.map(\.colour), [0, 0, 1, 1])
        XCTAssertEqual(frame.runs.map(\.isOverlaid), [false, true])
        XCTAssertEqual(WatchFrameBuilder().frame(snapshot, controls: WatchControls(runName: "b"), now: 1).runName, "b",
                       "--run picks the first run shown")
        let missing = WatchFrameBuilder().frame(snapshot, controls: WatchControls(runName: "c"), now: 1)
        XCTAssertEqual(missing.runName, "a")
        XCTAssertTrue(missing.message.hasPrefix("no run c under \(root.path) (yet): showing a"), missing.message)
    }

    func testThePickerPutsAnyScalarOnTheChartButKeepsTheLosses() throws {
        try makeRun("a", rows: 2)
        let snapshot = LogdirWatcher(logdir: root.path).poll(now: 1)
        var controls = WatchControls()
        controls.togglePicker()
        controls.movePicker(by: 3, rows: 5)
        let builder = WatchFrameBuilder()
        var frame = builder.frame(snapshot, controls: controls, now: 1)
        XCTAssertEqual(frame.pickerCursor, 3)
        let run = snapshot.runs[0], lossTags = WatchFrameBuilder.lossTags(of: run, controls: controls)
        controls.toggleTag(frame.scalars[3].tag, lossTags: lossTags)
        frame = builder.frame(snapshot, controls: controls, now: 1)
        XCTAssertEqual(frame.series.map(\.label), ["D d_loss", "G g_loss", "d_real"])
        XCTAssertTrue(frame.scalars[3].onChart)
        controls.toggleTag("d_loss", lossTags: lossTags)
        controls.toggleTag("d_real", lossTags: lossTags)
        XCTAssertEqual(builder.frame(snapshot, controls: controls, now: 1).series.map(\.label), ["D d_loss", "G g_loss"])
        controls.movePicker(by: 99, rows: 5)
        XCTAssertEqual(controls.pickerCursor, 4, "the cursor stays on the table")
    }

    func testMemoryStaysBoundedPerRun() {
        var run = WatchedRun(name: ".", kind: .gantop, directory: URL(fileURLWithPath: "/nonexistent"))
        for step in 0..<500 {
            run.addImage(SampleRecord(tag: "samples", step: step, payload: .file(URL(fileURLWithPath: "/x/\(step).png"))), now: 0)
        }
        XCTAssertEqual(run.images["samples"]?.count, WatchedRun.maxImagesPerTag)
        XCTAssertEqual(run.images["samples"]?.first?.step, 500 - WatchedRun.maxImagesPerTag, "the newest are kept")
        for t in 0..<(WatchedRun.maxImageTags + 3) {
            run.addImage(SampleRecord(tag: "tag\(t)", step: 1, payload: .file(URL(fileURLWithPath: "/x"))), now: 0)
        }
        XCTAssertEqual(run.imageTags.count, WatchedRun.maxImageTags)
        for t in 0..<(WatchedRun.maxScalarTags + 10) { run.addScalar(tag: "s\(t)", step: 1, value: 1, now: 0) }
        XCTAssertEqual(run.scalarTags.count, WatchedRun.maxScalarTags)
        XCTAssertEqual(run.droppedTags, 4 + 10)
        for step in 0..<200_000 { run.addScalar(tag: "s0", step: step + 2, value: 1, now: 0) }
        XCTAssertLessThanOrEqual(run.scalars["s0"]!.count, 2049)
        for _ in 0..<20 { run.warn(UUID().uuidString) }
        XCTAssertEqual(run.warnings.count, WatchedRun.maxWarnings)
    }
}

final class WatchControlsTests: XCTestCase {
    func testIChoosesAmongTheRunsImageTags() {
        var run = WatchedRun(name: ".", kind: .tensorboard, directory: URL(fileURLWithPath: "/nonexistent"))
        for tag in ["real", "fake/samples"] {
            for step in [10, 20] {
                run.addImage(SampleRecord(tag: tag, step: step, payload: .png([UInt8(step)])), now: 0)
            }
        }
        var c = WatchControls()
        XCTAssertEqual(WatchFrameBuilder.imageTag(of: run, controls: c), "fake/samples", "picked by the name")
        c.scrubBack(in: WatchFrameBuilder.imageRecords(of: run, controls: c))
        XCTAssertEqual(c.imageStep, 10)
        c.cycleImageTag(in: run)
        XCTAssertEqual(WatchFrameBuilder.imageTag(of: run, controls: c), "real")
        XCTAssertNil(c.imageStep, "a new tag starts live")
        let frame = WatchFrameBuilder().frame(WatchSnapshot(logdir: "x", runs: [run], version: 1), controls: c, now: 0)
        XCTAssertEqual(frame.image.tag, "real (i: 2 tags)")
        c.cycleImageTag(in: run)
        XCTAssertEqual(WatchFrameBuilder.imageTag(of: run, controls: c), "fake/samples", "wraps around")
    }

    func testZoomCyclesAndPansWithinTheImage() {
        var c = WatchControls()
        c.pan(dx: 1, dy: 0)
        XCTAssertEqual(c.centerX, 0.5, "no panning unzoomed")
        c.cycleZoom()
        XCTAssertEqual(c.zoom, 2)
        c.pan(dx: 1, dy: 0)
        XCTAssertEqual(c.centerX, 0.75)
        c.pan(dx: 1, dy: -1)
        XCTAssertEqual([c.centerX, c.centerY], [0.75, 0.25], "stops at the edges")
        c.cycleZoom()
        XCTAssertEqual(c.zoom, 4)
        c.cycleZoom()
        XCTAssertEqual([Double(c.zoom), c.centerX, c.centerY], [1, 0.5, 0.5], "back to the whole image, centred")
    }
}
