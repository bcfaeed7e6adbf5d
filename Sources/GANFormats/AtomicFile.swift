#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Replaces a file so that readers see either the old contents or the new, never a mix.
///
/// Checkpoints are written while training runs and may be killed at any moment; a
/// half-written checkpoint under its real name would be worse than none. So the bytes go to a
/// hidden temporary file in the same directory (rename is only atomic within one file system),
/// are fsynced, renamed over the target, and the directory is fsynced so that the rename
/// itself survives a crash.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to url: URL) throws {
        try bytes.withUnsafeBytes { try write($0, to: url, beforeRename: {}) }
    }

    public static func write(_ data: Data, to url: URL) throws {
        try data.withUnsafeBytes { try write($0, to: url, beforeRename: {}) }
    }

    /// The temporary name used for `url`: hidden, and unique per process and call.
    static func temporaryURL(for url: URL) -> URL {
        let suffix = String(UInt32.random(in: .min ... .max), radix: 16)
        return url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(suffix)")
    }

    /// `beforeRename` lets tests fail at the last moment and check that nothing is left behind.
    static func write(_ buffer: UnsafeRawBufferPointer, to url: URL, beforeRename: () throws -> Void) throws {
        let shown = displayPath(url)
        let temp = temporaryURL(for: url)
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError.posix("cannot write", shown, code: errno) }

        var renamed = false
        var isOpen = true
        defer {
            if isOpen { close(fd) }
            if !renamed { unlink(temp.path) }
        }
        if let code = POSIX.writeAll(fd, buffer) { throw FileError.posix("cannot write", shown, code: code) }
        guard fsync(fd) == 0 else { throw FileError.posix("cannot write", shown, code: errno) }
        isOpen = false
        guard close(fd) == 0 else { throw FileError.posix("cannot write", shown, code: errno) }
        try beforeRename()
        guard rename(temp.path, url.path) == 0 else { throw FileError.posix("cannot write", shown, code: errno) }
        renamed = true
        try syncDirectory(of: url, shown: shown)
    }

    /// Makes `url` a second name (a hard link) for the file at `existing`, atomically: the link is
    /// made under a temporary name and renamed over `url`, so a reader of `url` sees the old file or
    /// the new one, never a missing or half-written one. Where the file system has no hard links or
    /// refuses this one (FAT, some network and FUSE file systems, a link count at its limit), `url`
    /// is written as an ordinary atomic copy of `bytes`, which must be the contents of `existing`.
    /// - Returns: true if `url` is now a link, false if it is a copy.
    @discardableResult
    public static func link(_ url: URL, to existing: URL, orCopy bytes: [UInt8]) throws -> Bool {
        try link(url, to: existing, orCopy: bytes, makeLink: { Self.systemLink($0, $1) })
    }

    /// `makeLink` is link(2) (it returns 0 on success); tests inject a failing one to reach the copy.
    static func link(_ url: URL, to existing: URL, orCopy bytes: [UInt8],
                     makeLink: (_ existing: String, _ new: String) -> Int32) throws -> Bool {
        let temp = temporaryURL(for: url)
        guard makeLink(existing.path, temp.path) == 0 else {
            try write(bytes, to: url)
            return false
        }
        let shown = displayPath(url)
        guard rename(temp.path, url.path) == 0 else {
            let code = errno
            unlink(temp.path)
            throw FileError.posix("cannot write", shown, code: code)
        }
        // rename(2) does nothing when both names are already links to the same file: the temporary
        // name would stay. After an ordinary rename there is nothing left to remove.
        unlink(temp.path)
        try syncDirectory(of: url, shown: shown)
        return true
    }

    private static func systemLink(_ existing: String, _ new: String) -> Int32 {
        #if canImport(Glibc)
        Glibc.link(existing, new)
        #else
        Darwin.link(existing, new)
        #endif
    }

    /// Makes the rename durable. Some file systems refuse fsync on directories (EINVAL); the
    /// file is already in place then, so that is not worth failing for.
    private static func syncDirectory(of url: URL, shown: String) throws {
        let dir = url.deletingLastPathComponent().path
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError.posix("cannot sync directory of", shown, code: errno) }
        defer { close(fd) }
        if fsync(fd) != 0, errno != EINVAL { throw FileError.posix("cannot sync directory of", shown, code: errno) }
    }
}
