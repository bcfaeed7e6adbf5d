#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One field of a CSV row.
///
/// Numbers use Swift's `description`, which is fast and round-trips exactly (Foundation's
/// `String(format:)` costs microseconds per call); non-finite floats come out as `nan`/`inf`,
/// which pandas and numpy read back.
public enum CSVValue: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral {
    case int(Int)
    case float(Float)
    case double(Double)
    case string(String)

    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }

    /// The text of the field, quoted per RFC 4180 when needed.
    public var field: String {
        switch self {
        case .int(let v): v.description
        case .float(let v): v.description
        case .double(let v): v.description
        case .string(let s): CSVValue.quoted(s)
        }
    }

    static func quoted(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// An append-only CSV file, one row per call, each row reaching the file in one write(2).
///
/// No user-space buffering: a killed process loses nothing it finished logging, and a crash
/// mid-row leaves at most one partial line, which the next open terminates. Reopening a file
/// whose header names other columns is refused rather than mixing two layouts in one file.
public final class CSVLog: Sendable {
    public let url: URL
    public let columns: [String]
    private let fd: Int32

    /// Opens `url` for appending, creating it with a header line if it is new or empty.
    public init(url: URL, columns: [String]) throws {
        precondition(!columns.isEmpty, "a CSV log needs at least one column")
        let shown = displayPath(url)
        let header = columns.map(CSVValue.quoted).joined(separator: ",")
        let fd = open(url.path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError.posix("cannot open", shown, code: errno) }
        do {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw FileError.posix("cannot open", shown, code: errno) }
            if info.st_size == 0 {
                try Self.write(fd, header + "\n", shown: shown)
            } else {
                try Self.checkHeader(fd, expected: header, name: url.lastPathComponent, shown: shown)
                if try Self.lastByte(fd, size: Int(info.st_size), shown: shown) != UInt8(ascii: "\n") {
                    try Self.write(fd, "\n", shown: shown)  // end a row cut short by a crash
                }
            }
        } catch {
            close(fd)
            throw error
        }
        self.url = url
        self.columns = columns
        self.fd = fd
    }

    deinit { close(fd) }

    /// Appends one row; it is in the file (in the kernel's cache) when this returns.
    public func append(_ row: [CSVValue]) throws {
        precondition(row.count == columns.count, "CSV row has \(row.count) fields, the header \(columns.count)")
        var line = ""
        line.reserveCapacity(16 * row.count)
        for (i, value) in row.enumerated() {
            if i > 0 { line += "," }
            line += value.field
        }
        line += "\n"
        try Self.write(fd, line, shown: displayPath(url))
    }

    private static func write(_ fd: Int32, _ text: String, shown: String) throws {
        var text = text
        let failure = text.withUTF8 { POSIX.writeAll(fd, UnsafeRawBufferPointer($0)) }
        if let failure { throw FileError.posix("cannot write", shown, code: failure) }
    }

    private static func checkHeader(_ fd: Int32, expected: String, name: String, shown: String) throws {
        var buffer = [UInt8](repeating: 0, count: expected.utf8.count + 2)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n >= 0 else { throw FileError.posix("cannot read", shown, code: errno) }
        let firstLine = buffer[..<n].split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        let found = String(decoding: firstLine, as: UTF8.self).trimmingCharacters(in: ["\r"])
        guard found == expected else {
            throw FormatError(file: name, "existing header \"\(found)\" differs from \"\(expected)\"; refusing to mix columns")
        }
    }

    private static func lastByte(_ fd: Int32, size: Int, shown: String) throws -> UInt8 {
        var byte: UInt8 = 0
        guard pread(fd, &byte, 1, off_t(size - 1)) == 1 else { throw FileError.posix("cannot read", shown, code: errno) }
        return byte
    }
}
