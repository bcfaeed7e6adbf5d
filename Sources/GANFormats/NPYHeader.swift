/// The dict literal in an `.npy` header, read by a tiny parser for the subset numpy writes:
/// strings, True/False, integers and tuples of integers. (Evaluating Python is not an option,
/// and a regex would accept too much.)
struct NPYHeader {
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    struct Failure: Error { var message: String }

    private enum Value {
        case string(String), bool(Bool), int(Int), tuple([Int])
    }

    init(parsing bytes: [UInt8]) throws {
        var parser = Parser(bytes: bytes)
        let dict = try parser.parseDict()
        parser.skipSpace()
        guard parser.atEnd else { throw Failure(message: "unexpected text after the dict") }
        guard Set(dict.keys) == ["descr", "fortran_order", "shape"] else {
            throw Failure(message: "keys are \(dict.keys.sorted()), expected descr, fortran_order, shape")
        }
        guard case .string(let descr)? = dict["descr"] else { throw Failure(message: "'descr' is not a string") }
        guard case .bool(let fortran)? = dict["fortran_order"] else { throw Failure(message: "'fortran_order' is not True or False") }
        guard case .tuple(let shape)? = dict["shape"] else { throw Failure(message: "'shape' is not a tuple of integers") }
        self.descr = descr
        self.fortranOrder = fortran
        self.shape = shape
    }

    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        var atEnd: Bool { position == bytes.count }

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x0a, 0x0d, 0x09].contains(bytes[position]) { position += 1 }
        }

        /// Skips spaces, then consumes `char` if it is next.
        mutating func take(_ char: Character) -> Bool {
            skipSpace()
            guard position < bytes.count, bytes[position] == char.asciiValue else { return false }
            position += 1
            return true
        }

        mutating func expect(_ char: Character) throws {
            guard take(char) else { throw Failure(message: "expected '\(char)' at byte \(position)") }
        }

        mutating func parseDict() throws -> [String: Value] {
            try expect("{")
            var dict: [String: Value] = [:]
            while !take("}") {
                guard case .string(let key) = try parseValue() else { throw Failure(message: "dict key is not a string") }
                guard dict[key] == nil else { throw Failure(message: "duplicate key '\(key)'") }
                try expect(":")
                dict[key] = try parseValue()
                if !take(",") { try expect("}"); break }
            }
            return dict
        }

        mutating func parseValue() throws -> Value {
            skipSpace()
            guard position < bytes.count else { throw Failure(message: "unexpected end of header") }
            switch bytes[position] {
            case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "("): return .tuple(try parseTuple())
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return .int(try parseInt())
            default:
                for (word, value) in [("True", true), ("False", false)] where bytes[position...].starts(with: word.utf8) {
                    position += word.utf8.count
                    return .bool(value)
                }
                throw Failure(message: "unexpected character at byte \(position)")
            }
        }

        mutating func parseString() throws -> String {
            let quote = bytes[position]
            position += 1
            let start = position
            while position < bytes.count, bytes[position] != quote {
                guard bytes[position] != UInt8(ascii: "\\") else { throw Failure(message: "escapes in strings are not supported") }
                position += 1
            }
            guard position < bytes.count else { throw Failure(message: "unterminated string") }
            position += 1
            return String(decoding: bytes[start..<position - 1], as: UTF8.self)
        }

        mutating func parseInt() throws -> Int {
            var value = 0
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int(bytes[position] - UInt8(ascii: "0")))
                guard !o1, !o2 else { throw Failure(message: "integer too large at byte \(position)") }
                value = sum
                position += 1
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "L") { position += 1 }  // Python 2 longs
            return value
        }

        /// `()`, `(5,)` or `(3, 28, 28)` with an optional trailing comma.
        mutating func parseTuple() throws -> [Int] {
            try expect("(")
            var items: [Int] = []
            while !take(")") {
                guard case .int(let n) = try parseValue() else { throw Failure(message: "shape entries must be integers") }
                items.append(n)
                if !take(",") { try expect(")"); break }
            }
            return items
        }
    }
}
