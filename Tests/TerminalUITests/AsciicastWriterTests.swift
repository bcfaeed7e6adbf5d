import Foundation
@testable import TerminalUI
import XCTest

/// The recording file: whole lines only, times in order, characters never cut, bad paths refused.
final class AsciicastWriterTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gantop-cast-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }

    private func lines(of url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.hasSuffix("\n"), "the file ends in a partial line")
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    func testEventsSplitInsideCharactersReadBackWhole() throws {
        let url = directory.appendingPathComponent("session.cast")
        var writer = try AsciicastWriter(creatingFileAt: url.path)
        writer.writeHeader(width: 80, height: 24, environment: [("TERM", "xterm-256color")])
        let frame = Array("\u{1B}[H▀▄ 😀 \"q\"\\".utf8)
        writer.recordOutput(frame[..<5])  // ends one byte into ▀
        writer.recordResize(width: 100, height: 30)
        writer.recordOutput(frame[5 ..< 12])  // ends two bytes into 😀
        writer.recordOutput(frame[12...])
        writer.recordOutput([0xE2, 0x82] as [UInt8])  // an unfinished € at the very end: no event yet
        writer.finish()
        XCTAssertNil(writer.failure)

        let lines = try lines(of: url)
        let header = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(header["width"] as? Int, 80)
        XCTAssertEqual(header["height"] as? Int, 24)
        var text = "", last = 0.0, codes: [String] = []
        for line in lines.dropFirst() {
            let event = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any], line)
            let time = try XCTUnwrap(event[0] as? Double, line)
            XCTAssertGreaterThanOrEqual(time, last)
            last = time
            codes.append(try XCTUnwrap(event[1] as? String))
            if event[1] as? String == "o" { text += try XCTUnwrap(event[2] as? String) }
        }
        XCTAssertEqual(codes, ["o", "r", "o", "o", "o"])
        XCTAssertEqual(text, "\u{1B}[H▀▄ 😀 \"q\"\\\u{FFFD}")
    }

    func testNothingButAHeaderIsStillAValidRecording() throws {
        let url = directory.appendingPathComponent("empty.cast")
        var writer = try AsciicastWriter(creatingFileAt: url.path)
        writer.writeHeader(width: 120, height: 40, environment: [])
        writer.finish()
        XCTAssertEqual(try lines(of: url).count, 1)
    }

    func testAnExistingFileIsReplaced() throws {
        let url = directory.appendingPathComponent("old.cast")
        try Data(String(repeating: "old\n", count: 100).utf8).write(to: url)
        var writer = try AsciicastWriter(creatingFileAt: url.path)
        writer.writeHeader(width: 80, height: 24, environment: [])
        writer.finish()
        XCTAssertEqual(try lines(of: url).count, 1)
    }

    func testBadPathsAreRefusedWithTheirReason() throws {
        XCTAssertThrowsError(try AsciicastWriter(creatingFileAt: directory.path)) { error in
            XCTAssertTrue("\(error)".contains("is a directory"), "\(error)")
        }
        let missing = directory.appendingPathComponent("no-such-dir/x.cast").path
        XCTAssertThrowsError(try AsciicastWriter(creatingFileAt: missing)) { error in
            XCTAssertTrue("\(error)".contains(missing) && "\(error)".contains("No such file"), "\(error)")
        }
        let blocker = directory.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: blocker)
        XCTAssertThrowsError(try AsciicastWriter(creatingFileAt: blocker.appendingPathComponent("x.cast").path))
    }

    func testDiscardRemovesTheFile() throws {
        let url = directory.appendingPathComponent("never.cast")
        let writer = try AsciicastWriter(creatingFileAt: url.path)
        XCTAssertTrue(FileManager.default.fileExists(atPath: url.path))
        writer.discard()
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
    }
}
