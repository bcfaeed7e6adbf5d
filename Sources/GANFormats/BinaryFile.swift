#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Whole-file reads with one-line errors.
///
/// `Data(contentsOf:)` on Linux reports failures as long Cocoa sentences without the errno
/// text; POSIX calls give "No such file or directory" and friends, which users recognise.
public enum BinaryFile {
    public static func read(_ url: URL) throws -> [UInt8] {
        let path = displayPath(url)
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.posix("cannot read", path, code: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileError.posix("cannot read", path, code: errno) }
        guard (info.st_mode & S_IFMT) != S_IFDIR else { throw FileError("cannot read", path, reason: "it is a directory") }

        switch POSIX.readAll(fd, sizeHint: Int(info.st_size)) {
        case .success(let bytes): return bytes
        case .failure(let e): throw FileError.posix("cannot read", path, code: e.code)
        }
    }
}

/// Loops around read(2) and write(2), which may transfer less than asked or be interrupted.
enum POSIX {
    struct Errno: Error { var code: Int32 }

    /// Reads until end of file. `sizeHint` (st_size) is only a hint: files can change while
    /// being read, and /proc files report 0.
    static func readAll(_ fd: Int32, sizeHint: Int) -> Result<[UInt8], Errno> {
        var bytes = [UInt8](repeating: 0, count: max(sizeHint, 0) + 1)
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: repeatElement(0, count: max(bytes.count, 1 << 16))) }
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(Errno(code: errno))
            }
            if n == 0 { break }
            filled += n
        }
        bytes.removeSubrange(filled...)
        return .success(bytes)
    }

    /// Writes all of `buffer`, retrying on short writes and EINTR; returns errno on failure.
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32? {
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return nil
    }
}

/// Directory creation with messages that say which component is in the way.
public enum Directory {
    /// Creates `url` and any missing parents (like `mkdir -p`); succeeds if it already exists.
    public static func create(_ url: URL) throws {
        let shown = displayPath(url)
        let components = url.standardizedFileURL.path.split(separator: "/", omittingEmptySubsequences: true)
        var prefix = ""
        for component in components {
            prefix += "/" + component
            var info = stat()
            if stat(prefix, &info) == 0 {
                guard (info.st_mode & S_IFMT) == S_IFDIR else {
                    throw FileError("cannot create directory", shown, reason: "\(prefix) exists and is not a directory")
                }
                continue
            }
            if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw FileError.posix("cannot create directory", shown, code: errno)
            }
        }
    }
}
