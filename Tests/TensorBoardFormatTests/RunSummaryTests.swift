import Foundation
import XCTest
@testable import TensorBoardFormat

/// `gantop inspect`'s report, on the committed files the real tensorboard package wrote
/// (scripts/tensorboard-fixtures.py) and on hand-built ones.
final class RunSummaryTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tensorboard-logdir")

    func testTheCommittedTensorBoardFixtures() throws {
        let runs = try discoverRuns(under: Self.fixtures)
        XCTAssertEqual(runs.map(\.name), ["keras/train", "torch"])
        let summaries = try runs.map { try RunSummary.read($0) }
        XCTAssertEqual(summaries[0].describe(), """
            run keras/train: 1 event file, 10 values
              kind    tag             count  steps
              scalar  epoch_d_loss        5  0–4
              scalar  epoch_g_loss        5  0–4
              D loss: epoch_d_loss   G loss: epoch_g_loss   samples: (none found)
            """)
        XCTAssertEqual(summaries[1].describe(), """
            run torch: 1 event file, 12 values
              kind       tag            count  steps
              scalar     Loss/D/loss        3  0–2
              scalar     Loss/G/loss        3  0–2
              image      samples            1  2
              image      tf2/gen            2  10–11
              image      tf2/gen/1          2  10–11
              histogram  weights            1  2
              D loss: Loss/D/loss   G loss: Loss/G/loss   samples: samples
            """)
        let json = RunSummary.json(summaries, logdir: "logs")
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        XCTAssertEqual(parsed["logdir"] as? String, "logs")
        let torch = (parsed["runs"] as! [[String: Any]])[1]
        XCTAssertEqual(torch["d_loss"] as? String, "Loss/D/loss")
        XCTAssertEqual(torch["samples"] as? String, "samples")
        let tag = (torch["tags"] as! [[String: Any]])[3]
        XCTAssertEqual(tag["tag"] as? String, "tf2/gen")
        XCTAssertEqual(tag["first_step"] as? Int, 10)
        XCTAssertEqual(tag["last_step"] as? Int, 11)
        XCTAssertEqual(tag["count"] as? Int, 2)
    }

    func testOtherKindsRestartsExplicitTagsAndWarnings() throws {
        let dir = try TemporaryDirectory()
        let text = { (v: inout ProtoWriter) in
            v.string(1, "notes")
            Events.plugin("text")(&v)
            v.message(8) { t in t.varint(1, 7); t.string(8, "hi") }
        }
        let badImage = { (v: inout ProtoWriter) in
            v.string(1, "samples")
            Events.plugin("images")(&v)
            v.message(8) { t in t.varint(1, 7); t.string(8, "3") }
        }
        try write(Events.records([Events.sessionStart(step: 0), Events.event(step: 4, [text, Events.simple("errD", 1)]),
                                  Events.sessionStart(step: 0), Events.event(step: 2, [Events.simple("errD", 2), badImage])]),
                  to: dir.file("events.out.tfevents.1.h"))
        let summary = try RunSummary.read(try discoverRuns(under: dir.url)[0], dTag: "ERRD", gTag: "nope")
        XCTAssertEqual(summary.describe(), """
            run . (the log directory itself): 1 event file, 3 values
              kind          tag      count  steps
              scalar        errD         2  2–4
              other (text)  notes        1  4
              D loss: errD   G loss: (none found)   samples: (none found)
              writer (re)started 2 times
              warning: events.out.tfevents.1.h: samples at step 2: image tensor without [width, height, image…] strings
            """)
    }

    func testACorruptFileIsAnError() throws {
        let dir = try TemporaryDirectory()
        var bytes = Events.records([Events.event(step: 1, [Events.simple("d_loss", 1)])])
        bytes[20] ^= 1
        try write(bytes, to: dir.file("events.out.tfevents.9.h"))
        assertError(try RunSummary.read(try discoverRuns(under: dir.url)[0]),
                    "events.out.tfevents.9.h: corrupt record at byte 0: the data's CRC does not match")
    }
}
