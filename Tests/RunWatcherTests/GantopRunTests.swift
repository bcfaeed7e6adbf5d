import XCTest
import GANFormats
import GANView
@testable import RunWatcher

/// A gantop run directory being written, read the way `gantop watch` reads it.
final class GantopRunTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("RunWatcherTests-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: root)
        super.tearDown()
    }

    private func append(_ text: String, to name: String, in dir: URL? = nil) throws {
        let url = (dir ?? root).appendingPathComponent(name)
        if !FileManager.default.fileExists(atPath: url.path) { try Data().write(to: url) }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    private static func grey(_ step: Int) -> UInt8 { UInt8(step * 255 / 300) }

    private static let header = "step,epoch,d_loss,g_loss,d_real,d_fake\n"

    func testRowsBecomeScalarsAndAHalfWrittenRowWaits() throws {
        try append(Self.header + "1,0,0.69,0.71,0.5,0.49\n2,0,0.65,0.8", to: "losses.csv")
        let watcher = LogdirWatcher(logdir: root.path)
        var run = try XCTUnwrap(watcher.poll(now: 100).runs.first)
        XCTAssertEqual(run.name, ".")
        XCTAssertEqual(run.kind, .gantop)
        XCTAssertEqual(run.scalarTags, ["epoch", "d_loss", "g_loss", "d_real", "d_fake"])
        XCTAssertEqual(run.scalars["d_loss"]?.points, [ScalarPoint(step: 1, value: 0.69)], "the cut row is not read yet")
        XCTAssertEqual(run.lastStep, 1)
        try append(",0.6,0.4\n", to: "losses.csv")
        run = try XCTUnwrap(watcher.poll(now: 101).runs.first)
        XCTAssertEqual(run.scalars["d_loss"]?.points.map(\.step), [1, 2])
        XCTAssertEqual(run.scalars["d_fake"]?.last?.value, 0.4)
        XCTAssertTrue(run.warnings.isEmpty, "\(run.warnings)")
    }

    func testTheChosenLossTagsAreShownAndCanBeOverridden() throws {
        try append(Self.header + "1,0,0.69,0.71,0.5,0.49\n", to: "losses.csv")
        let snapshot = LogdirWatcher(logdir: root.path).poll(now: 100)
        let builder = WatchFrameBuilder()
        var frame = builder.frame(snapshot, controls: WatchControls(), now: 101)
        XCTAssertEqual(frame.series.map(\.label), ["D d_loss", "G g_loss"])
        XCTAssertEqual(frame.dValue, 0.69)
        XCTAssertEqual(frame.scalars.filter { $0.lossRole != nil }.map(\.tag), ["d_loss", "g_loss"])
        frame = builder.frame(snapshot, controls: WatchControls(dTag: "d_real"), now: 101)
        XCTAssertEqual(frame.series.map(\.label), ["D d_real", "G g_loss"])
        XCTAssertEqual(frame.dValue, 0.5)
        // And on screen: the legend names the tags.
        var buffer = CellBuffer(width: 120, height: 30)
        WatchScreen.render(frame, helpVisible: false, halfBlocks: false, colorMode: .none, into: &buffer)
        XCTAssertTrue(buffer.text().contains("━ D d_real  ━ G g_loss"), buffer.text())
    }

    func testSilenceIsNoticedWithItsAge() throws {
        try append(Self.header + "1,0,0.69,0.71,0.5,0.49\n", to: "losses.csv")
        let snapshot = LogdirWatcher(logdir: root.path).poll()
        let written = try XCTUnwrap(snapshot.runs.first?.lastChange)
        let builder = WatchFrameBuilder(), controls = WatchControls(silenceAfter: 150)
        let fresh = builder.frame(snapshot, controls: controls, now: written + 5)
        XCTAssertEqual(fresh.state, .live)
        XCTAssertEqual(fresh.lastEventAge ?? -1, 5, accuracy: 0.01)
        let quiet = builder.frame(snapshot, controls: controls, now: written + 200)
        XCTAssertEqual(quiet.state, .silent)
        XCTAssertTrue(quiet.note.contains("no new events for 3m 20s"), quiet.note)
        var buffer = CellBuffer(width: 120, height: 30)
        WatchScreen.render(quiet, helpVisible: false, halfBlocks: false, colorMode: .none, into: &buffer)
        XCTAssertTrue(buffer.row(0).contains("SILENT") && buffer.row(0).contains("last event 3m 20s ago"), buffer.row(0))
    }

    func testARestartedRunPurgesTheStepsItWritesAgain() throws {
        try append(Self.header + (1...10).map { "\($0),0,\(Float($0) / 10),1,0.5,0.5\n" }.joined(), to: "losses.csv")
        let watcher = LogdirWatcher(logdir: root.path)
        _ = watcher.poll(now: 100)
        // A second `gantop train --out` into the same directory from scratch appends step 1 again.
        try append("1,0,9,9,0.5,0.5\n2,0,8,8,0.5,0.5\n", to: "losses.csv")
        let snapshot = watcher.poll(now: 101)
        let run = try XCTUnwrap(snapshot.runs.first)
        XCTAssertEqual(run.scalars["d_loss"]?.points, [ScalarPoint(step: 1, value: 9), ScalarPoint(step: 2, value: 8)])
        XCTAssertEqual(run.restart?.fromStep, 10)
        XCTAssertEqual(run.restart?.toStep, 1)
        let frame = WatchFrameBuilder().frame(snapshot, controls: WatchControls(), now: 102)
        XCTAssertEqual(frame.state, .restarted)
        XCTAssertTrue(frame.note.contains("back from step 10 to 1"), frame.note)
        XCTAssertEqual(WatchFrameBuilder().frame(snapshot, controls: WatchControls(), now: 101 + 61).state, .live,
                       "a restart is news for a minute")
    }

    func testAReplacedLossFileIsReadAgainWithAWarning() throws {
        try append(Self.header + "1,0,0.5,0.5,0.5,0.5\n2,0,0.5,0.5,0.5,0.5\n", to: "losses.csv")
        let watcher = LogdirWatcher(logdir: root.path)
        _ = watcher.poll(now: 100)
        try FileManager.default.removeItem(at: root.appendingPathComponent("losses.csv"))
        try append(Self.header + "1,0,0.25,0.5,0.5,0.5\n", to: "losses.csv")
        let run = try XCTUnwrap(watcher.poll(now: 101).runs.first)
        XCTAssertEqual(run.scalars["d_loss"]?.points, [ScalarPoint(step: 1, value: 0.25)])
        XCTAssertTrue(run.notice?.text.contains("replaced or truncated") == true, "\(String(describing: run.notice))")
    }

    func testMalformedRowsAreSkippedWithAWarning() throws {
        try append(Self.header + "1,0,0.5,0.5,0.5,0.5\ngarbage\n3,0,nan,0.5,0.5,0.5\n", to: "losses.csv")
        let run = try XCTUnwrap(LogdirWatcher(logdir: root.path).poll(now: 100).runs.first)
        XCTAssertEqual(run.scalars["d_loss"]?.points.map(\.step), [1, 3])
        XCTAssertTrue(run.scalars["d_loss"]?.last?.value.isNaN == true, "nan is kept as such")
        XCTAssertTrue(run.warnings.first?.contains("malformed row \"garbage\"") == true, "\(run.warnings)")
    }

    func testSampleGridsAreImagesInStepOrderAndDecodeWhenShown() throws {
        for step in [200, 100, 300] {
            // As gantop's SampleGrid writes them: 122×122 greys, every pixel here the step's grey.
            try PNGImage(width: 122, height: 122, colorType: .gray, pixels: [UInt8](repeating: Self.grey(step), count: 122 * 122))
                .write(to: root.appendingPathComponent("samples-step\(step).png"))
        }
        let snapshot = LogdirWatcher(logdir: root.path).poll(now: 100)
        let run = try XCTUnwrap(snapshot.runs.first)
        XCTAssertEqual(run.images["samples"]?.map(\.step), [100, 200, 300])
        var controls = WatchControls()
        let builder = WatchFrameBuilder()
        var frame = builder.frame(snapshot, controls: controls, now: 100)
        XCTAssertEqual(frame.image.step, 300)
        XCTAssertEqual(frame.image.position, 3)
        let image = try XCTUnwrap(frame.image.image)
        XCTAssertEqual([image.width, image.height, image.channels], [122, 122, 1])
        XCTAssertEqual(image.pixels[3 * 122 + 3], Self.grey(300), "the step-300 grid's pixels")
        controls.scrubBack(in: WatchFrameBuilder.imageRecords(of: run))
        frame = builder.frame(snapshot, controls: controls, now: 100)
        XCTAssertEqual(frame.image.step, 200)
        XCTAssertTrue(frame.image.scrubbed)
        XCTAssertEqual(frame.image.image?.pixels[3 * 122 + 3], Self.grey(200))
        controls.scrubOldest(in: WatchFrameBuilder.imageRecords(of: run))
        XCTAssertEqual(controls.imageStep, 100)
        controls.scrubForward(in: WatchFrameBuilder.imageRecords(of: run))
        XCTAssertEqual(controls.imageStep, 200)
        controls.scrubForward(in: WatchFrameBuilder.imageRecords(of: run))
        XCTAssertNil(controls.imageStep, "reaching the newest is live again")
    }

    func testEventsAndCheckpointsAreNewsAndNumbersScalars() throws {
        try append(Self.header + "1,0,0.5,0.5,0.5,0.5\n", to: "losses.csv")
        try append("step,event,value\n12,lr_d,0.0001\n500,loss,minimax\n", to: "events.csv")
        try Data([1]).write(to: root.appendingPathComponent("checkpoint-step500.safetensors"))
        let watcher = LogdirWatcher(logdir: root.path)
        var run = try XCTUnwrap(watcher.poll(now: 100).runs.first)
        XCTAssertEqual(run.scalars["lr_d"]?.points, [ScalarPoint(step: 12, value: 0.0001)])
        XCTAssertNil(run.scalars["loss"], "a word is news, not a scalar")
        XCTAssertEqual(run.notice?.text, "saved checkpoint-step500.safetensors")
        try append("600,frechet_distance,45.5\n", to: "events.csv")
        run = try XCTUnwrap(watcher.poll(now: 101).runs.first)
        XCTAssertEqual(run.scalars["frechet_distance"]?.last, ScalarPoint(step: 600, value: 45.5))
        let frame = WatchFrameBuilder().frame(watcher.poll(now: 102), controls: WatchControls(), now: 102)
        XCTAssertEqual(frame.message, "step 600: frechet_distance 45.5")
        XCTAssertTrue(frame.scalars.contains { $0.tag == "frechet_distance" }, "on the picker")
    }

    func testAHugeImageIsKeptSmallEnoughToDrawEveryFrame() throws {
        try PNGImage(width: 3000, height: 20, colorType: .gray, pixels: [UInt8](repeating: 200, count: 60_000))
            .write(to: root.appendingPathComponent("samples-step1.png"))
        let frame = WatchFrameBuilder().frame(LogdirWatcher(logdir: root.path).poll(now: 1), controls: WatchControls(), now: 1)
        let image = try XCTUnwrap(frame.image.image)
        XCTAssertEqual([image.width, image.height], [1000, 7], "reduced 3× to fit 1,024 a side")
        XCTAssertEqual(Set(image.pixels), [200])
    }

    func testABrokenSampleFileSaysWhyInsteadOfAPicture() throws {
        try Data([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]).write(to: root.appendingPathComponent("samples-step5.png"))
        let snapshot = LogdirWatcher(logdir: root.path).poll(now: 100)
        let frame = WatchFrameBuilder().frame(snapshot, controls: WatchControls(), now: 100)
        XCTAssertNil(frame.image.image)
        XCTAssertTrue(frame.image.placeholder.hasPrefix("step 5: "), frame.image.placeholder)
    }
}
