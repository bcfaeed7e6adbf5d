import Foundation
@testable import TerminalUI
import XCTest

/// The asciicast text itself: what a JSON parser (and so `asciinema play`) reads back.
final class AsciicastTests: XCTestCase {
    /// Parses a JSON value the way a player would (fragments allowed, so a bare string works).
    private func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    func testEveryControlCharacterQuoteAndBackslashRoundTrips() throws {
        let controls = String(String.UnicodeScalarView((0 ..< 0x20).compactMap(Unicode.Scalar.init)))
        let samples = [controls, "\u{7F}", "\"", "\\", "\\\"", "\u{1B}[38;5;16m\u{1B}(B", "a\\u0041b",
                       "⠀⣿▀▁█┌─┐ Samples G(z)", "é中😀", "\u{2028}\u{2029}", ""]
        for sample in samples {
            let literal = Asciicast.jsonString(sample)
            XCTAssertEqual(try parse(literal) as? String, sample, "round trip of \(sample.debugDescription) via \(literal)")
            let inner = literal.unicodeScalars.dropFirst().dropLast()
            XCTAssertFalse(inner.contains { $0.value < 0x20 || $0.value == 0x7F }, "a raw control character in \(literal)")
        }
    }

    func testEscapeForms() {
        XCTAssertEqual(Asciicast.jsonString("\u{1B}[H\r\n\t"), #""\u001b[H\r\n\t""#)
        XCTAssertEqual(Asciicast.jsonString("\u{00}\u{07}\u{08}\u{0C}\u{7F}"), #""\u0000\u0007\u0008\u000c\u007f""#)
        XCTAssertEqual(Asciicast.jsonString("say \"hi\" \\ bye"), #""say \"hi\" \\ bye""#)
        XCTAssertEqual(Asciicast.jsonString("▀ é"), "\"▀ é\"", "non-ASCII stays as UTF-8")
    }

    func testHeaderAndEventLinesParse() throws {
        let header = Asciicast.headerLine(width: 120, height: 40, timestamp: 1_700_000_000,
                                          environment: [("TERM", "xterm-256color"), ("SHELL", "/bin/sh")])
        XCTAssertTrue(header.hasSuffix("}\n"))
        XCTAssertEqual(header.filter { $0 == "\n" }.count, 1, "one line")
        let object = try XCTUnwrap(try parse(header) as? [String: Any])
        XCTAssertEqual(object["version"] as? Int, 2)
        XCTAssertEqual(object["width"] as? Int, 120)
        XCTAssertEqual(object["height"] as? Int, 40)
        XCTAssertEqual(object["timestamp"] as? Int, 1_700_000_000)
        XCTAssertEqual(object["env"] as? [String: String], ["TERM": "xterm-256color", "SHELL": "/bin/sh"])

        let output = try XCTUnwrap(try parse(Asciicast.outputEventLine(time: 1.25, text: "\u{1B}[2J\"x\"")) as? [Any])
        XCTAssertEqual(output.count, 3)
        XCTAssertEqual(output[0] as? Double, 1.25)
        XCTAssertEqual(output[1] as? String, "o")
        XCTAssertEqual(output[2] as? String, "\u{1B}[2J\"x\"")
        let resize = try XCTUnwrap(try parse(Asciicast.resizeEventLine(time: 3, width: 100, height: 30)) as? [Any])
        XCTAssertEqual(resize[1] as? String, "r")
        XCTAssertEqual(resize[2] as? String, "100x30")
    }

    func testTimesArePlainNonNegativeDecimals() {
        XCTAssertEqual(Asciicast.formatTime(0), "0.000000")
        XCTAssertEqual(Asciicast.formatTime(1.5e-7), "0.000000")
        XCTAssertEqual(Asciicast.formatTime(12345.678901), "12345.678901")
        XCTAssertEqual(Asciicast.formatTime(-1), "0.000000")
        XCTAssertEqual(Asciicast.formatTime(.nan), "0.000000")
    }

    // MARK: - UTF-8 across chunk boundaries

    /// Every split of a text full of 2-, 3- and 4-byte characters: each chunk's text is valid on its
    /// own, no character is cut, and the chunks add up to the original.
    func testNoCharacterIsCutAtAnySplit() {
        let text = "a é ▀⣿ 😀 z\u{1B}[m中"
        let bytes = Array(text.utf8)
        for first in 0 ... bytes.count {
            for second in first ... bytes.count {
                var decoder = UTF8StreamDecoder()
                let parts = [decoder.decode(bytes[..<first]), decoder.decode(bytes[first ..< second]),
                             decoder.decode(bytes[second...]), decoder.finish()]
                XCTAssertEqual(parts.joined(), text, "split at \(first), \(second)")
                XCTAssertFalse(parts.joined().unicodeScalars.contains("\u{FFFD}"), "split at \(first), \(second)")
            }
        }
    }

    func testIncompleteTailLength() {
        let euro = Array("€".utf8)  // E2 82 AC
        let grin = Array("😀".utf8)  // F0 9F 98 80
        XCTAssertEqual(UTF8StreamDecoder.incompleteTailLength([]), 0)
        XCTAssertEqual(UTF8StreamDecoder.incompleteTailLength(Array("ab".utf8)), 0)
        XCTAssertEqual(UTF8StreamDecoder.incompleteTailLength(euro), 0)
        XCTAssertEqual(UTF8StreamDecoder.incompleteTailLength([0x41] + euro.prefix(1)), 1)
        XCTAssertEqual(UTF8StreamDecoder.incompleteTailLength([0x41] + euro.prefix(2)), 2)
        XCTAssertEqual(UTF8StreamDecoder.incompleteTailLength(grin.prefix(3) + []), 3)
        XCTAssertEqual(UTF8StreamDecoder.incompleteTailLength(grin), 0)
        // Never valid, so never held back: a stray continuation byte, an overlong lead, a surrogate start.
        XCTAssertEqual(UTF8StreamDecoder.incompleteTailLength([0x41, 0x80]), 0)
        XCTAssertEqual(UTF8StreamDecoder.incompleteTailLength([0xC0]), 0)
        XCTAssertEqual(UTF8StreamDecoder.incompleteTailLength([0xED, 0xA0]), 0)
        XCTAssertEqual(UTF8StreamDecoder.incompleteTailLength([0xE0, 0x80]), 0)
        XCTAssertEqual(UTF8StreamDecoder.incompleteTailLength([0xF5]), 0)
    }

    func testInvalidBytesBecomeReplacementCharacters() {
        var decoder = UTF8StreamDecoder()
        XCTAssertEqual(decoder.decode([0x41, 0xFF, 0x42]), "A\u{FFFD}B")
        XCTAssertEqual(decoder.decode([0x43, 0xE2, 0x82]), "C", "an unfinished € waits")
        XCTAssertEqual(decoder.decode([0x44]), "\u{FFFD}D", "and is replaced when it cannot be finished")
        XCTAssertEqual(decoder.decode([0xF0, 0x9F]), "")
        XCTAssertEqual(decoder.finish(), "\u{FFFD}", "the end of the stream flushes what waits")
        XCTAssertEqual(decoder.finish(), "")
    }
}
