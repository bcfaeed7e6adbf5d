import XCTest
@testable import TensorBoardFormat

final class EventParserTests: XCTestCase {
    func parse(_ events: [[UInt8]]) throws -> [SummaryEvent] {
        var parser = EventParser()
        return try events.flatMap { try parser.parse($0).events }
    }

    func testSimpleValueScalars() throws {
        let got = try parse([Events.event(step: 3, [Events.simple("Loss/D/loss", 0.5), Events.simple("Loss/G/loss", -2.25)])])
        XCTAssertEqual(got, [
            SummaryEvent(wallTime: 1_700_000_000.5, step: 3, tag: "Loss/D/loss", value: .scalar(0.5)),
            SummaryEvent(wallTime: 1_700_000_000.5, step: 3, tag: "Loss/G/loss", value: .scalar(-2.25)),
        ])
    }

    func testTF2TensorScalarsWithMetadataOnlyOnTheFirstValue() throws {
        let got = try parse([
            Events.event(step: 0, [Events.tensorScalar("epoch_d_loss", 1.5, metadata: true)]),
            Events.event(step: 1, [Events.tensorScalar("epoch_d_loss", 0.75, metadata: false)]),
            Events.event(step: 2, [Events.doubleValScalar("lr", 2e-4)]),
            Events.event(step: 3, [Events.floatValScalar("acc", 0.125)]),
        ])
        XCTAssertEqual(got.map(\.value), [.scalar(1.5), .scalar(0.75), .scalar(2e-4), .scalar(0.125)])
        XCTAssertEqual(got.map(\.step), [0, 1, 2, 3])
    }

    func testATagKnownAsAnotherPluginIsNotTakenForAScalar() throws {
        var parser = EventParser()
        let first = Events.event(step: 0, [{ v in
            v.string(1, "notes")
            Events.plugin("text")(&v)
            v.message(8) { t in t.varint(1, 7); t.string(8, "hello") }
        }])
        // A later value without metadata, numeric this time: the tag stays text.
        let second = Events.event(step: 1, [Events.tensorScalar("notes", 3, metadata: false)])
        XCTAssertEqual(try parser.parse(first).events.map(\.value), [.other("text")])
        XCTAssertEqual(try parser.parse(second).events.map(\.value), [.other("text")])
        XCTAssertEqual(parser.pluginByTag, ["notes": "text"])
    }

    func testImagesFromSummaryImageAndTF2StringTensors() throws {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]
        let got = try parse([
            Events.event(step: 5, [Events.image("samples", png: png, width: 28, height: 14, colorspace: 1)]),
            Events.event(step: 6, [Events.imageTensor("gen", pngs: [png, png + [9]], width: 64, height: 32, metadata: true)]),
            Events.event(step: 7, [Events.imageTensor("gen", pngs: [png], width: 64, height: 32, metadata: false)]),
        ])
        XCTAssertEqual(got, [
            SummaryEvent(wallTime: 1_700_000_000.5, step: 5, tag: "samples", value: .image(EncodedImage(width: 28, height: 14, colorspace: 1, encoded: png))),
            SummaryEvent(wallTime: 1_700_000_000.5, step: 6, tag: "gen", value: .image(EncodedImage(width: 64, height: 32, colorspace: 0, encoded: png))),
            SummaryEvent(wallTime: 1_700_000_000.5, step: 6, tag: "gen/1", value: .image(EncodedImage(width: 64, height: 32, colorspace: 0, encoded: png + [9]))),
            SummaryEvent(wallTime: 1_700_000_000.5, step: 7, tag: "gen", value: .image(EncodedImage(width: 64, height: 32, colorspace: 0, encoded: png))),
        ])
    }

    func testHistogramsSessionStartsAndVersions() throws {
        var parser = EventParser()
        let version = try parser.parse(Events.fileVersion())
        XCTAssertEqual(version.fileVersion, "brain.Event:2")
        XCTAssertTrue(version.events.isEmpty)
        XCTAssertTrue(try parser.parse(Events.sessionStart(step: 0)).sessionStart)
        XCTAssertEqual(try parser.parse(Events.event(step: 1, [Events.histogram("w")])).events.map(\.value), [.histogram])
    }

    func testMalformedMessagesThrowInsteadOfTrapping() {
        var parser = EventParser()
        XCTAssertThrowsError(try parser.parse([0x2A, 0x05, 0x0A]))  // summary claims 5 bytes, has 1
        XCTAssertThrowsError(try parser.parse([0x10, 0xFF, 0xFF]))  // varint runs off the end
        XCTAssertThrowsError(try parser.parse([0x0B]))  // group wire type
        // Random bytes: any outcome but a crash.
        var seed: UInt64 = 1
        for _ in 0..<2000 {
            let bytes = (0..<Int(seed % 40)).map { _ -> UInt8 in
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: seed >> 33)
            }
            _ = try? parser.parse(bytes)
        }
    }
}
