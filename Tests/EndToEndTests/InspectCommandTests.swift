import Foundation
import XCTest

/// `gantop inspect` as a user runs it: on the committed TensorBoard fixtures (written by the real
/// tensorboard package, see scripts/tensorboard-fixtures.py), in text and JSON, and its errors.
final class InspectCommandTests: XCTestCase {
    static let fixtures = FullScreenEndToEndTests.repositoryRoot.appendingPathComponent("Tests/Fixtures/tensorboard-logdir")

    private func gantop(_ arguments: [String]) throws -> ChildProcess.Result {
        let work = try makeScratchDirectory("inspect")
        defer { try? FileManager.default.removeItem(at: work) }
        return try ChildProcess.run(try FullScreenEndToEndTests.gantopBinary().path, arguments, in: work,
                                    outputPrefix: work.appendingPathComponent("out"), timeout: 20)
    }

    func testTextListsEachRunsTagsAndThePickedOnes() throws {
        let r = try gantop(["inspect", Self.fixtures.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "run keras/train: 1 event file, 10 values")
        XCTAssertTrue(lines.contains("  scalar     Loss/D/loss        3  0–2"), r.stdout)
        XCTAssertTrue(lines.contains("  image      tf2/gen            2  10–11"), r.stdout)
        XCTAssertTrue(lines.contains("  D loss: Loss/D/loss   G loss: Loss/G/loss   samples: samples"), r.stdout)
        XCTAssertTrue(lines.contains("  D loss: epoch_d_loss   G loss: epoch_g_loss   samples: (none found)"), r.stdout)
    }

    func testJSONAndExplicitTags() throws {
        let r = try gantop(["inspect", Self.fixtures.path, "--json", "--d-tag", "loss/g/LOSS"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let runs = try XCTUnwrap(report?["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.map { $0["run"] as? String }, ["keras/train", "torch"])
        XCTAssertEqual(runs[1]["d_loss"] as? String, "Loss/G/loss")
        XCTAssertEqual(runs[1]["g_loss"] as? String, "Loss/G/loss")
        XCTAssertNil(runs[0]["d_loss"] as? String)
        let kinds = (runs[1]["tags"] as? [[String: Any]])?.map { $0["kind"] as? String }
        XCTAssertEqual(kinds, ["scalar", "scalar", "image", "image", "image", "histogram"])
    }

    func testMissingEmptyAndCorruptLogDirectoriesAreOneLineErrors() throws {
        let work = try makeScratchDirectory("inspect-bad")
        defer { try? FileManager.default.removeItem(at: work) }
        let corrupt = work.appendingPathComponent("corrupt/run")
        try FileManager.default.createDirectory(at: corrupt, withIntermediateDirectories: true)
        let source = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.appendingPathComponent("torch").path)[0]
        var bytes = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent("torch/\(source)")))
        bytes[bytes.count / 2] ^= 0x10
        try Data(bytes).write(to: corrupt.appendingPathComponent(source))
        try FileManager.default.createDirectory(at: work.appendingPathComponent("empty/sub"), withIntermediateDirectories: true)

        for (dir, message) in [("missing", "No such file or directory"), ("empty", "no TensorBoard event files"),
                               ("corrupt", "\(source): corrupt record at byte")] {
            let r = try gantop(["inspect", work.appendingPathComponent(dir).path])
            XCTAssertNotEqual(r.status, 0, dir)
            XCTAssertFalse(r.signalled, dir)
            let lines = r.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(dir): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(message), "\(dir): \(r.stderr)")
        }
    }
}
