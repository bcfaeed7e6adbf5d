#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GANFormats

/// Follows one event file while its writer appends to it.
///
/// Keeps a byte offset and the bytes of a record not yet complete; each `poll()` reads what
/// was appended since (an idle file costs one `stat`). A file that shrank or was replaced by
/// another (new inode) is read again from the start, and `resets` counts it.
public final class EventFileFollower {
    public let path: String
    /// Bytes read per `read` call; a poll loops until the end of the file or `maxBytesPerPoll`.
    static let chunkSize = 8 << 20

    /// Times the file was found truncated or replaced and reading started over.
    public private(set) var resets = 0
    /// `SessionLog.START` events seen: the writer (re)started.
    public private(set) var sessionStarts = 0
    /// The newest file version string (`brain.Event:2`), once seen.
    public private(set) var fileVersion: String?
    /// Bytes of the file consumed as complete records (or skipped as corrupt).
    public var offset: Int { pendingStart }

    private var parser = EventParser()
    /// File offset of `pending[0]`; `pending` holds an incomplete record's bytes read so far.
    private var pendingStart = 0
    private var pending: [UInt8] = []
    private var identity: (device: UInt64, inode: UInt64)?
    /// A corrupt record's error, thrown by the poll that found it or, if that poll returned
    /// events, by the next one.
    private var deferredError: FormatError?
    private var stuck = false
    private var warnings: [String] = []

    /// The file's name, for messages (computed once: path operations are slow per record).
    private let name: String

    public init(path: String) {
        self.path = path
        name = (path as NSString).lastPathComponent
    }
    public convenience init(url: URL) { self.init(path: url.path) }

    /// Every tag's plugin, learnt from the metadata on its first value.
    public var pluginByTag: [String: String] { parser.pluginByTag }

    /// The warnings gathered since the last call (unusable values, skipped records), one line each.
    public func takeWarnings() -> [String] {
        defer {
            warnings.removeAll()
            droppedWarnings = 0
        }
        return droppedWarnings == 0 ? warnings : warnings + ["\(name): \(droppedWarnings) more warnings not shown"]
    }

    /// Keeps at most `maxWarnings` between two `takeWarnings()` calls: a file of a million bad
    /// values must not grow memory without bound.
    private func warn(_ line: String) {
        if warnings.count < Self.maxWarnings { warnings.append(line) } else { droppedWarnings += 1 }
    }
    static let maxWarnings = 100
    private var droppedWarnings = 0

    /// The complete events appended since the last poll. Throws a one-line `FormatError`
    /// naming the file and byte offset for a corrupt record (on the next poll if events came
    /// before it). A record whose length could be trusted is skipped and reading goes on; after
    /// one whose length cannot be, the file is not read further until it is truncated or replaced.
    public func poll(maxBytesPerPoll: Int = 1 << 30) throws -> [SummaryEvent] {
        if let error = deferredError {
            deferredError = nil
            throw error
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw FileError("cannot read", path, reason: String(cString: strerror(errno))) }
        let id = (UInt64(info.st_dev), UInt64(info.st_ino))
        let size = Int(info.st_size)
        let readEnd = pendingStart + pending.count
        if let known = identity, known != id || size < readEnd {
            restart()
        }
        identity = id
        guard !stuck, size > pendingStart + pending.count else { return [] }

        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError("cannot read", path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var events: [SummaryEvent] = []
        var budget = maxBytesPerPoll
        while budget > 0 {
            let position = pendingStart + pending.count
            let want = min(Self.chunkSize, budget, max(size - position, 0) + 1)
            let old = pending.count
            pending.append(contentsOf: repeatElement(0, count: want))
            let got = pending.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + old, want, off_t(position)) }
            guard got >= 0 else { throw FileError("cannot read", path, reason: String(cString: strerror(errno))) }
            pending.removeLast(want - got)
            budget -= got
            if !consume(into: &events) || got < want { break }
        }
        if events.isEmpty, let error = deferredError {
            deferredError = nil
            throw error
        }
        return events
    }

    /// Parses the complete records in `pending`, then keeps only the incomplete tail. Returns
    /// false when reading must stop (a record whose length cannot be trusted).
    private func consume(into events: inout [SummaryEvent]) -> Bool {
        var reader = TFRecordReader(bytes: pending)
        var keepGoing = true
        while true {
            let next: Range<Int>?
            do {
                next = try reader.next()
            } catch {
                let failure = FormatError(file: name, "corrupt record at byte \(pendingStart + error.offset): \(error.problem)")
                if deferredError == nil { deferredError = failure } else { warn(failure.description) }
                if error.canSkip {
                    reader.skip(error)
                    continue
                }
                stuck = true
                keepGoing = false
                break
            }
            guard let range = next else { break }
            do {
                let record = try parser.parse(pending, range)
                events += record.events
                if record.sessionStart { sessionStarts += 1 }
                if let version = record.fileVersion { fileVersion = version }
                for warning in record.warnings { warn("\(name): \(warning)") }
            } catch {
                let at = pendingStart + range.lowerBound - TFRecordReader.headerSize
                warn("\(name): event at byte \(at) skipped: \((error as? FormatError)?.problem ?? "\(error)")")
            }
        }
        dropConsumed(reader.offset)
        return keepGoing
    }

    private func dropConsumed(_ count: Int) {
        guard count > 0 else { return }
        pending.removeFirst(count)
        pendingStart += count
    }

    private func restart() {
        resets += 1
        parser = EventParser()
        pendingStart = 0
        pending = []
        stuck = false
        deferredError = nil
    }
}
