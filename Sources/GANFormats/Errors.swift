#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file's contents break the rules of its format.
///
/// The description is always one line, `file: problem`, because it ends up in a terminal
/// status line or a log where a multi-line dump would be cut off or scrolled away.
public struct FormatError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The file as shown to the user (usually its last path component); empty when there is none.
    public var file: String
    /// What is wrong, in words a user can act on.
    public var problem: String

    public init(file: String, _ problem: String) {
        self.file = file
        self.problem = oneLine(problem)
    }

    public var description: String { file.isEmpty ? problem : "\(file): \(problem)" }
    /// Foundation's `localizedDescription` on Linux is a generic sentence unless this is provided.
    public var errorDescription: String? { description }
}

/// The operating system refused an operation on a path (missing file, no permission, disk full).
///
/// Kept apart from `FormatError` so callers can tell "fix your data" from "fix your file system".
public struct FileError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// For example "cannot read" or "cannot write".
    public var operation: String
    /// The path as the caller spelled it, so the message matches what the user typed.
    public var path: String
    /// Usually `strerror(errno)`, e.g. "Permission denied".
    public var reason: String

    public init(_ operation: String, _ path: String, reason: String) {
        self.operation = operation
        self.path = path
        self.reason = oneLine(reason)
    }

    /// An error carrying the text of an `errno` value.
    static func posix(_ operation: String, _ path: String, code: Int32) -> FileError {
        FileError(operation, path, reason: String(cString: strerror(code)))
    }

    public var description: String { "\(operation) \(path): \(reason)" }
    public var errorDescription: String? { description }
}

/// The path as the user wrote it (relative stays relative), for messages.
func displayPath(_ url: URL) -> String { url.isFileURL ? url.relativePath : url.absoluteString }

/// Collapses newlines so that messages built from foreign text stay on one line.
func oneLine(_ text: String) -> String {
    guard text.contains(where: \.isNewline) else { return text }
    return text.split(whereSeparator: \.isNewline).joined(separator: " ")
}
