import GANFormats
import XCTest
@testable import TensorBoardFormat

final class EventFileWriterTests: XCTestCase {
    func testWhatTheWriterWritesTheFollowerReadsBack() throws {
        let dir = try TemporaryDirectory()
        let writer = try EventFileWriter(directory: dir.file("run/a"))
        XCTAssertTrue(writer.url.lastPathComponent.hasPrefix("events.out.tfevents."))
        XCTAssertTrue(writer.url.lastPathComponent.hasSuffix(".gantop"))
        let follower = EventFileFollower(url: writer.url)
        XCTAssertEqual(try follower.poll(), [])
        XCTAssertEqual(follower.fileVersion, "brain.Event:2")

        let grid = PNGImageFixture.gradient(width: 8, height: 4)
        writer.addScalar(tag: "d_loss", value: 0.75, step: 1, wallTime: 10)
        writer.addImage(tag: "samples", png: grid.encode(), width: 8, height: 4, step: 1, colorspace: 1, wallTime: 11)
        writer.addText(tag: "hparams", text: "lr_D 2e-4", step: 2, wallTime: 12)
        writer.addText(tag: "hparams", text: "lr_D 1e-4", step: 3, wallTime: 13)
        XCTAssertEqual(try follower.poll(), [], "buffered until flushed")
        try writer.flush()
        let events = try follower.poll()
        XCTAssertEqual(events, [
            SummaryEvent(wallTime: 10, step: 1, tag: "d_loss", value: .scalar(0.75)),
            SummaryEvent(wallTime: 11, step: 1, tag: "samples", value: .image(EncodedImage(width: 8, height: 4, colorspace: 1, encoded: grid.encode()))),
            SummaryEvent(wallTime: 12, step: 2, tag: "hparams", value: .other("text")),
            SummaryEvent(wallTime: 13, step: 3, tag: "hparams", value: .other("text")),
        ])
        XCTAssertEqual(follower.pluginByTag, ["hparams": "text"])
        guard case .image(let image) = events[1].value else { return XCTFail() }
        XCTAssertEqual(try decodeImage(image.encoded).pixels, grid.pixels)
    }

    func testTwoWritersInOneSecondGetTwoFiles() throws {
        let dir = try TemporaryDirectory()
        let a = try EventFileWriter(directory: dir.url), b = try EventFileWriter(directory: dir.url)
        XCTAssertNotEqual(a.url, b.url)
        XCTAssertEqual(try discoverRuns(under: dir.url).map(\.name), ["."])
    }

    func testReleasingTheWriterFlushes() throws {
        let dir = try TemporaryDirectory()
        var writer: EventFileWriter? = try EventFileWriter(directory: dir.url)
        let url = writer!.url
        writer!.addScalar(tag: "g_loss", value: 3, step: 7)
        writer = nil
        XCTAssertEqual(try EventFileFollower(url: url).poll().map(\.value), [.scalar(3)])
    }

    func testAnUnwritableDirectoryIsAOneLineError() throws {
        let dir = try TemporaryDirectory()
        try write([], to: dir.file("file"))
        XCTAssertThrowsError(try EventFileWriter(directory: dir.file("file"))) { XCTAssertFalse("\($0)".contains("\n")) }
    }
}
