import GANFormats
import Foundation

/// The asciinema v2 recording format ("asciicast"): one JSON object as the header line, then one
/// JSON array per event, `[seconds, "o", text]` for output and `[seconds, "r", "WxH"]` for a resize.
///
/// Only text building lives here, so the escaping is tested without a terminal or a file.
enum Asciicast {
    /// The header: size, start time and the terminal type a player should emulate.
    /// `environment` keeps its order (TERM, then SHELL, as asciinema writes them).
    static func headerLine(width: Int, height: Int, timestamp: Int, environment: [(name: String, value: String)]) -> String {
        let env = environment.map { "\(jsonString($0.name)): \(jsonString($0.value))" }.joined(separator: ", ")
        return "{\"version\": 2, \"width\": \(width), \"height\": \(height), \"timestamp\": \(timestamp), \"env\": {\(env)}}\n"
    }

    static func outputEventLine(time: Double, text: String) -> String {
        "[\(formatTime(time)), \"o\", \(jsonString(text))]\n"
    }

    static func resizeEventLine(time: Double, width: Int, height: Int) -> String {
        "[\(formatTime(time)), \"r\", \"\(width)x\(height)\"]\n"
    }

    /// Microseconds, like asciinema itself; never negative and never in exponent form.
    static func formatTime(_ seconds: Double) -> String {
        String(format: "%.6f", seconds.isFinite ? max(seconds, 0) : 0)
    }

    /// `text` as a JSON string literal. Terminal output is mostly escape sequences, so every control
    /// character (and DEL) becomes `\u00XX`; everything else stays as UTF-8, which JSON allows.
    static func jsonString(_ text: String) -> String { JSON.quote(text) }
}

/// Turns a byte stream into text chunk by chunk without ever cutting a UTF-8 character in two:
/// a multi-byte character split across two reads is held back until its last byte arrives, so
/// every event of a recording is valid UTF-8 on its own. Bytes that can never become valid UTF-8
/// are replaced by U+FFFD (as asciinema does) rather than held back.
struct UTF8StreamDecoder: Sendable {
    private var carry: [UInt8] = []

    /// The text of `carry + bytes`, minus an incomplete character at the end (kept for next time).
    mutating func decode(_ bytes: some Collection<UInt8>) -> String {
        var all = carry
        all.append(contentsOf: bytes)
        let held = Self.incompleteTailLength(all)
        carry = Array(all.suffix(held))
        return String(decoding: all.dropLast(held), as: UTF8.self)
    }

    /// What is still held back, with an unfinished character replaced (the stream has ended).
    mutating func finish() -> String {
        defer { carry = [] }
        return String(decoding: carry, as: UTF8.self)
    }

    /// How many bytes at the end of `bytes` are the start of a character that more bytes could
    /// still complete (0 when the end is a whole character or can never be valid).
    static func incompleteTailLength(_ bytes: [UInt8]) -> Int {
        // A character is at most 4 bytes: its lead byte is within the last 3 if it is unfinished.
        for back in stride(from: 1, through: min(3, bytes.count), by: 1) {
            let lead = bytes[bytes.count - back]
            guard lead & 0xC0 == 0x80 else {
                let needed = sequenceLength(lead: lead)
                guard needed > back else { return 0 }
                let continuation = bytes.suffix(back - 1)
                return continuation.enumerated().allSatisfy { index, byte in
                    allowedContinuation(lead: lead, position: index + 1).contains(byte)
                } ? back : 0
            }
        }
        return 0
    }

    /// Bytes in the character a lead byte starts (0 for a byte that cannot start one).
    private static func sequenceLength(lead: UInt8) -> Int {
        switch lead {
        case 0x00 ... 0x7F: 1
        case 0xC2 ... 0xDF: 2
        case 0xE0 ... 0xEF: 3
        case 0xF0 ... 0xF4: 4
        default: 0
        }
    }

    /// The continuation bytes Unicode allows at `position` (1-based) after `lead`: the second byte
    /// is narrowed to rule out overlong forms, surrogates and code points past U+10FFFF.
    private static func allowedContinuation(lead: UInt8, position: Int) -> ClosedRange<UInt8> {
        guard position == 1 else { return 0x80 ... 0xBF }
        switch lead {
        case 0xE0: return 0xA0 ... 0xBF
        case 0xED: return 0x80 ... 0x9F
        case 0xF0: return 0x90 ... 0xBF
        case 0xF4: return 0x80 ... 0x8F
        default: return 0x80 ... 0xBF
        }
    }
}
