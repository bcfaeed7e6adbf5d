#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Follows a text file another process appends to (gantop's losses.csv): each `poll` returns the
/// complete lines added since the last one. A line still being written stays buffered until its
/// newline arrives; a file that was replaced (new inode) or truncated is read again from the start
/// (`restarted` says so). Reads at most `maxBytesPerPoll` a call, so a huge file cannot stall a frame.
final class LineTail {
    let url: URL
    private var offset: off_t = 0
    private var inode: ino_t?
    private var partial: [UInt8] = []
    /// A line longer than this is not a CSV row: it is dropped, with a warning.
    static let maxLineBytes = 1 << 16
    static let maxBytesPerPoll = 8 << 20

    struct Poll {
        var lines: [String] = []
        /// The file was replaced or truncated since the last poll, and re-read from its start.
        var restarted = false
        /// The file's modification time (seconds since 1970), nil when it does not exist.
        var modified: Double?
        var droppedLongLine = false
    }

    init(url: URL) {
        self.url = url
    }

    func poll() throws -> Poll {
        var result = Poll()
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return result }
            throw WatchError("cannot open \(url.lastPathComponent): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw WatchError("cannot stat \(url.lastPathComponent)") }
        result.modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        if (inode != nil && inode != info.st_ino) || info.st_size < offset {
            offset = 0
            partial.removeAll()
            result.restarted = inode != nil
        }
        inode = info.st_ino
        let available = Int(info.st_size - offset)
        guard available > 0 else { return result }
        var bytes = [UInt8](repeating: 0, count: min(available, Self.maxBytesPerPoll))
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
        guard n >= 0 else { throw WatchError("cannot read \(url.lastPathComponent): \(String(cString: strerror(errno)))") }
        offset += off_t(n)
        var start = 0
        for i in 0..<n where bytes[i] == UInt8(ascii: "\n") {
            partial.append(contentsOf: bytes[start..<i])
            result.lines.append(String(decoding: partial, as: UTF8.self))
            partial.removeAll(keepingCapacity: true)
            start = i + 1
        }
        partial.append(contentsOf: bytes[start..<n])
        if partial.count > Self.maxLineBytes {
            partial.removeAll()
            result.droppedLongLine = true
        }
        return result
    }
}

/// A problem reading a watched run, as one line for the screen.
public struct WatchError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
