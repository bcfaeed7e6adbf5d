import XCTest
import GANFormats
import GANView
import TensorBoardFormat
@testable import RunWatcher

/// TensorBoard runs as `gantop watch` follows them, written with TensorBoardFormat's writer
/// (the end-to-end test uses the real `tensorboard` package's).
final class TensorBoardRunTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("TensorBoardRunTests-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: root)
        super.tearDown()
    }

    /// A torch `make_grid` of 4 digits, 2 wide with 2 px padding, as RGB: 62×62.
    static func gridPNG(ink: UInt8) -> (png: [UInt8], width: Int, height: Int) {
        let side = 62
        var pixels = [UInt8](repeating: 0, count: side * side * 3)
        for y in 0..<side {
            for x in 0..<side where (x - 2) % 30 < 28 && (y - 2) % 30 < 28 && x >= 2 && y >= 2 && (x + y) % 5 == 0 {
                for c in 0..<3 { pixels[(y * side + x) * 3 + c] = ink }
            }
        }
        return (PNGImage(width: side, height: side, colorType: .rgb, pixels: pixels).encode(), side, side)
    }

    func testPyTorchStyleTagsArePickedAndImagesDecoded() throws {
        let writer = try EventFileWriter(directory: root.appendingPathComponent("dcgan"))
        for step in 0..<20 {
            writer.addScalar(tag: "Loss/D", value: 1 - Double(step) / 40, step: Int64(step), wallTime: 1000 + Double(step))
            writer.addScalar(tag: "Loss/G", value: 2 + Double(step) / 40, step: Int64(step), wallTime: 1000 + Double(step))
            writer.addScalar(tag: "D(x)", value: 0.5, step: Int64(step), wallTime: 1000 + Double(step))
        }
        for (i, step) in [5, 10, 15].enumerated() {
            let grid = Self.gridPNG(ink: UInt8(100 + 50 * i))
            writer.addImage(tag: "samples", png: grid.png, width: grid.width, height: grid.height, step: Int64(step), wallTime: 1020)
        }
        try writer.flush()
        let snapshot = LogdirWatcher(logdir: root.path).poll(now: 1030)
        let run = try XCTUnwrap(snapshot.runs.first)
        XCTAssertEqual(run.name, "dcgan")
        XCTAssertEqual(run.kind, .tensorboard)
        let frame = WatchFrameBuilder().frame(snapshot, controls: WatchControls(), now: 1030)
        XCTAssertEqual(frame.sourceKind, "tensorboard")
        XCTAssertEqual(frame.series.map(\.label), ["D Loss/D", "G Loss/G"], "the picked tags are named on the chart")
        XCTAssertEqual(frame.series[0].points.count, 20)
        XCTAssertEqual(frame.step, 19)
        XCTAssertEqual(frame.image.step, 15)
        XCTAssertEqual(frame.image.count, 3)
        let image = try XCTUnwrap(frame.image.image, frame.image.placeholder)
        XCTAssertEqual([image.width, image.height, image.channels], [62, 62, 3])
        XCTAssertEqual(image.pixels.max(), 200, "the step-15 grid's ink")
    }

    func testAWriterSilentLongerThanTheThresholdIsSilentWithItsAge() throws {
        let now = Date().timeIntervalSince1970
        let writer = try EventFileWriter(directory: root)
        writer.addScalar(tag: "Loss_D", value: 1, step: 1, wallTime: now - 310)
        try writer.flush()
        // Written five minutes ago: the events say so, and so does the file.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: now - 310)], ofItemAtPath: writer.url.path)
        let snapshot = LogdirWatcher(logdir: root.path).poll(now: now)
        let frame = WatchFrameBuilder().frame(snapshot, controls: WatchControls(silenceAfter: 150), now: now)
        XCTAssertEqual(frame.state, .silent)
        XCTAssertEqual(frame.lastEventAge ?? 0, 310, accuracy: 1)
        XCTAssertTrue(frame.note.contains("no new events for 5m ") && frame.note.contains("every 120 s"), frame.note)
        writer.addScalar(tag: "Loss_D", value: 1, step: 2, wallTime: now)
        try writer.flush()
        let again = LogdirWatcher(logdir: root.path).poll(now: now + 1)
        XCTAssertEqual(WatchFrameBuilder().frame(again, controls: WatchControls(silenceAfter: 150), now: now + 1).state, .live)
    }

    func testANewEventFileWithStepsGoingBackIsARestart() throws {
        let dir = root.appendingPathComponent("run")
        let first = try EventFileWriter(directory: dir)
        for step in 0..<50 { first.addScalar(tag: "d_loss", value: 1, step: Int64(step)) }
        try first.flush()
        let watcher = LogdirWatcher(logdir: root.path)
        watcher.rescanInterval = 0
        _ = watcher.poll(now: 1)
        let second = try EventFileWriter(directory: dir)
        for step in 0..<5 { second.addScalar(tag: "d_loss", value: 2, step: Int64(step)) }
        try second.flush()
        let snapshot = watcher.poll(now: 10)
        let run = try XCTUnwrap(snapshot.runs.first)
        XCTAssertEqual(run.scalars["d_loss"]?.points.map(\.value), [2, 2, 2, 2, 2], "the first writer's steps from 0 on are purged")
        XCTAssertTrue(run.warnings.isEmpty, "a new file is news, not a problem: \(run.warnings)")
        let frame = WatchFrameBuilder().frame(snapshot, controls: WatchControls(), now: 10)
        XCTAssertTrue(frame.message.hasPrefix("new event file events.out.tfevents."), frame.message)
        XCTAssertEqual(WatchFrameBuilder().frame(snapshot, controls: WatchControls(), now: 71).message, "", "news fades after a minute")
        XCTAssertEqual(frame.state, .restarted)
        XCTAssertTrue(frame.note.contains("d_loss went back from step 49 to 0"), frame.note)
    }

    func testACorruptFileIsAnErrorLineAndOtherRunsGoOn() throws {
        let good = try EventFileWriter(directory: root.appendingPathComponent("good"))
        good.addScalar(tag: "g_loss", value: 3, step: 7)
        try good.flush()
        let bad = try EventFileWriter(directory: root.appendingPathComponent("bad"))
        for step in 0..<3 { bad.addScalar(tag: "d_loss", value: 1, step: Int64(step)) }
        try bad.flush()
        var bytes = try [UInt8](Data(contentsOf: bad.url))
        bytes[bytes.count - 6] ^= 0xFF  // inside the last record's payload: its data CRC fails
        try Data(bytes).write(to: bad.url)
        let watcher = LogdirWatcher(logdir: root.path)
        _ = watcher.poll(now: 1)
        // The records before the corrupt one come first; the error with the next poll (a second later).
        let snapshot = watcher.poll(now: 2)
        XCTAssertEqual(snapshot.runs.map(\.name), ["bad", "good"])
        let badRun = snapshot.runs[0]
        XCTAssertEqual(badRun.scalars["d_loss"]?.points.count, 2, "the records before the corrupt one are kept")
        var controls = WatchControls()
        let frame = WatchFrameBuilder().frame(snapshot, controls: controls, now: 1)
        XCTAssertTrue(frame.message.contains("corrupt record at byte"), frame.message)
        XCTAssertTrue(frame.message.contains(bad.url.lastPathComponent), frame.message)
        controls.switchRun(by: 1, in: snapshot.runs)
        let other = WatchFrameBuilder().frame(snapshot, controls: controls, now: 1)
        XCTAssertEqual(other.gValue, 3)
        XCTAssertEqual(other.message, "")
    }

    func testAGantopRunWithItsEventFileBesideItIsOneTensorBoardRun() throws {
        // gantop train --headless --out D --tensorboard D: losses.csv and an event file in one directory.
        try "step,epoch,d_loss,g_loss,d_real,d_fake\n1,0,0.5,0.5,0.5,0.5\n"
            .write(to: root.appendingPathComponent("losses.csv"), atomically: true, encoding: .utf8)
        let writer = try EventFileWriter(directory: root)
        writer.addScalar(tag: "d_loss", value: 0.5, step: 1)
        try writer.flush()
        let snapshot = LogdirWatcher(logdir: root.path).poll(now: 1)
        XCTAssertEqual(snapshot.runs.map(\.name), ["."])
        XCTAssertEqual(snapshot.runs.first?.kind, .tensorboard, "the event file holds the images too")
    }

    func testAnUnknownTagOverrideIsShownAsAskedFor() throws {
        let writer = try EventFileWriter(directory: root)
        writer.addScalar(tag: "errD", value: 1, step: 1)
        writer.addScalar(tag: "errG", value: 2, step: 1)
        try writer.flush()
        let snapshot = LogdirWatcher(logdir: root.path).poll(now: 1)
        XCTAssertEqual(snapshot.runs.map(\.name), ["."])
        let builder = WatchFrameBuilder()
        XCTAssertEqual(builder.frame(snapshot, controls: WatchControls(), now: 1).series.map(\.label), ["D errD", "G errG"])
        let asked = builder.frame(snapshot, controls: WatchControls(dTag: "critic_loss", gTag: "ERRG"), now: 1)
        XCTAssertEqual(asked.series.map(\.label), ["D critic_loss", "G errG"], "the run's spelling when it matches")
        XCTAssertEqual(asked.series[0].points, [])
    }
}
