import GANFormats
import XCTest
@testable import TensorBoardFormat

final class EventFileFollowerTests: XCTestCase {
    func scalarEvents(_ steps: Range<Int64>) -> [[UInt8]] {
        steps.map { Events.event(step: $0, [Events.simple("d_loss", Float($0) / 4)]) }
    }

    func testATruncatedTailIsReadOnceItIsComplete() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("events.out.tfevents.1.host")
        let bytes = Events.records([Events.fileVersion()] + scalarEvents(0..<3))
        let cut = bytes.count - 5
        try write(Array(bytes[..<cut]), to: url)
        let follower = EventFileFollower(url: url)
        XCTAssertEqual(try follower.poll().map(\.step), [0, 1])
        XCTAssertEqual(try follower.poll(), [])
        XCTAssertEqual(follower.fileVersion, "brain.Event:2")
        try append(Array(bytes[cut...]), to: url)
        XCTAssertEqual(try follower.poll().map(\.value), [.scalar(0.5)])
        XCTAssertEqual(follower.offset, bytes.count)
        try append(Events.records(scalarEvents(3..<5)), to: url)
        XCTAssertEqual(try follower.poll().map(\.step), [3, 4])
        XCTAssertEqual(follower.resets, 0)
    }

    func testEveryCutPointOfAGrowingFileYieldsEachEventOnce() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("x.tfevents")
        let bytes = Events.records(scalarEvents(0..<6))
        try write([], to: url)
        let follower = EventFileFollower(path: url.path)
        var steps: [Int64] = []
        for i in stride(from: 0, to: bytes.count, by: 7) {
            try append(Array(bytes[i..<min(i + 7, bytes.count)]), to: url)
            steps += try follower.poll().map(\.step)
        }
        XCTAssertEqual(steps, Array(0..<6))
    }

    func testBadDataCRCIsAnErrorNamingFileAndOffsetAndReadingGoesOn() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("events.out.tfevents.2.host")
        let first = Events.records(scalarEvents(0..<1))
        var second = Events.records(scalarEvents(1..<2))
        second[14] ^= 0xFF
        try write(first + second + Events.records(scalarEvents(2..<3)), to: url)
        let follower = EventFileFollower(url: url)
        XCTAssertEqual(try follower.poll().map(\.step), [0, 2])
        assertError(try follower.poll(), "events.out.tfevents.2.host: corrupt record at byte \(first.count): the data's CRC does not match")
        XCTAssertEqual(try follower.poll(), [])
    }

    func testBadLengthCRCStopsTheFileUntilItIsRewritten() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("a.tfevents")
        var bytes = Events.records(scalarEvents(0..<2))
        bytes[0] ^= 1
        try write(bytes, to: url)
        let follower = EventFileFollower(url: url)
        assertError(try follower.poll(), "a.tfevents: corrupt record at byte 0: the length's CRC does not match (not an event file, or damaged)")
        try append(Events.records(scalarEvents(2..<3)), to: url)
        XCTAssertEqual(try follower.poll(), [])
        // The writer starts over (truncates, or replaces the file): read from the start again.
        try write(Events.records(scalarEvents(7..<8)), to: url)
        XCTAssertEqual(try follower.poll().map(\.step), [7])
        XCTAssertEqual(follower.resets, 1)
    }

    func testATruncatedOrReplacedFileIsReadAgain() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("b.tfevents")
        try write(Events.records(scalarEvents(0..<4)), to: url)
        let follower = EventFileFollower(url: url)
        XCTAssertEqual(try follower.poll().count, 4)
        try write(Events.records(scalarEvents(10..<11)), to: url)  // shorter: truncated
        XCTAssertEqual(try follower.poll().map(\.step), [10])
        let other = dir.file("new")
        try write(Events.records(scalarEvents(20..<22)), to: other)
        XCTAssertEqual(rename(other.path, url.path), 0)
        XCTAssertEqual(try follower.poll().map(\.step), [20, 21])
        XCTAssertEqual(follower.resets, 2)
    }

    func testSessionStartsAreCountedAndBadValuesAreWarnings() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("c.tfevents")
        let badTensor = Events.event(step: 1, [{ v in
            v.string(1, "x")
            Events.plugin("scalars")(&v)
            v.message(8) { t in t.varint(1, 7); t.string(8, "not a number") }
        }])
        try write(Events.records([Events.sessionStart(step: 0), badTensor, [0x2A, 0x05]] + scalarEvents(0..<1)), to: url)
        let follower = EventFileFollower(url: url)
        XCTAssertEqual(try follower.poll().map(\.step), [0])
        XCTAssertEqual(follower.sessionStarts, 1)
        let warnings = follower.takeWarnings()
        XCTAssertEqual(warnings.count, 2, "\(warnings)")
        XCTAssertTrue(warnings[0].hasPrefix("c.tfevents: x at step 1: scalar tensor"), warnings[0])
        XCTAssertTrue(warnings[1].hasPrefix("c.tfevents: event at byte"), warnings[1])
        XCTAssertEqual(follower.takeWarnings(), [])
    }

    func testWarningsAreBounded() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("w.tfevents")
        try write(Events.records((0..<150).map { _ in [0x2A, 0x05] }), to: url)
        let follower = EventFileFollower(url: url)
        XCTAssertEqual(try follower.poll(), [])
        let warnings = follower.takeWarnings()
        XCTAssertEqual(warnings.count, 101)
        XCTAssertEqual(warnings.last, "w.tfevents: 50 more warnings not shown")
        XCTAssertEqual(follower.takeWarnings(), [])
    }

    func testAMissingFileIsAOneLineError() {
        let follower = EventFileFollower(path: "/nonexistent/events.out.tfevents.x")
        XCTAssertThrowsError(try follower.poll()) { XCTAssertEqual("\($0)", "cannot read /nonexistent/events.out.tfevents.x: No such file or directory") }
    }
}

func assertError<T>(_ body: @autoclosure () throws -> T, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
    do {
        let value = try body()
        XCTFail("expected \"\(expected)\", got \(value)", file: file, line: line)
    } catch {
        XCTAssertEqual("\(error)", expected, file: file, line: line)
    }
}
