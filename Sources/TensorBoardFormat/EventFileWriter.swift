#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GANFormats

/// Writes a TensorBoard event file: scalars as `simple_value` (as PyTorch's SummaryWriter does),
/// images as `Summary.Image` PNGs, text through the text plugin.
///
/// Each `add…` only encodes into memory, so the training loop never waits on the disk; the
/// buffer goes to the file when it passes `flushBytes`, when `flushInterval` has passed since
/// the last write (checked on each add), on `flush()`, and when the writer is released.
/// Safe to use from several threads.
public final class EventFileWriter: Sendable {
    public let url: URL
    public static let flushInterval: Double = 5
    static let flushBytes = 1 << 20

    private struct State {
        var buffer: [UInt8] = []
        var lastFlush: Double
        var taggedText: Set<String> = []
        var failure: FileError?
    }
    private let fd: Int32
    private let state: NSLockedState<State>

    /// Creates `directory` if needed and a new `events.out.tfevents.<time>.<host>.gantop` file
    /// in it, starting with the `brain.Event:2` version record.
    public init(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let now = Date().timeIntervalSince1970
        var host = ProcessInfo.processInfo.hostName
        if host.isEmpty { host = "localhost" }
        let base = "events.out.tfevents.\(Int(now)).\(host).gantop"
        var opened: (Int32, URL)?
        for attempt in 0..<100 {
            let candidate = directory.appendingPathComponent(attempt == 0 ? base : "\(base).\(attempt)")
            let fd = open(candidate.path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
            if fd >= 0 { opened = (fd, candidate); break }
            if errno != EEXIST { throw FileError.posixError("cannot write", candidate.relativePath) }
        }
        guard let (fd, url) = opened else { throw FileError("cannot write", directory.relativePath, reason: "too many event files named \(base)") }
        self.fd = fd
        self.url = url
        state = NSLockedState(State(lastFlush: now))
        var version = ProtoWriter()
        version.double(1, now)
        version.string(3, "brain.Event:2")
        append(version.bytes, now: now)
        try flush()
    }

    deinit {
        try? flush()
        close(fd)
    }

    public func addScalar(tag: String, value: Double, step: Int64, wallTime: Double? = nil) {
        addValue(step: step, wallTime: wallTime) { v in
            v.string(1, tag)
            v.float(2, Float(value))
        }
    }

    /// `png` is an encoded PNG of `width` × `height` pixels (grey or RGB, as `colorspace` says: 1 or 3).
    public func addImage(tag: String, png: [UInt8], width: Int, height: Int, step: Int64, colorspace: Int = 3, wallTime: Double? = nil) {
        addValue(step: step, wallTime: wallTime) { v in
            v.string(1, tag)
            v.message(4) { image in
                image.varint(1, UInt64(height))
                image.varint(2, UInt64(width))
                image.varint(3, UInt64(colorspace))
                image.data(4, png)
            }
        }
    }

    /// Text through TensorBoard's text plugin: a string tensor, the plugin named on the tag's first value.
    public func addText(tag: String, text: String, step: Int64, wallTime: Double? = nil) {
        let first = state.withLock { $0.taggedText.insert(tag).inserted }
        addValue(step: step, wallTime: wallTime) { v in
            v.string(1, tag)
            if first {
                v.message(9) { metadata in metadata.message(1) { plugin in plugin.string(1, "text") } }
            }
            v.message(8) { tensor in
                tensor.varint(1, 7)  // DT_STRING
                tensor.message(2) { shape in shape.message(2) { dim in dim.varint(1, 1) } }
                tensor.string(8, text)
            }
        }
    }

    /// Writes what is buffered. Throws the first write error met, here or in an earlier automatic flush.
    public func flush() throws {
        try state.withLock { state in
            try writeOut(&state)
            if let failure = state.failure { throw failure }
        }
    }

    private func addValue(step: Int64, wallTime: Double?, _ build: (inout ProtoWriter) -> Void) {
        let now = Date().timeIntervalSince1970
        var event = ProtoWriter()
        event.double(1, wallTime ?? now)
        event.int64(2, step)
        event.message(5) { summary in summary.message(1, build) }
        append(event.bytes, now: now)
    }

    private func append(_ event: [UInt8], now: Double) {
        state.withLock { state in
            state.buffer += TFRecordReader.frame(event)
            if state.buffer.count >= Self.flushBytes || now - state.lastFlush >= Self.flushInterval {
                try? writeOut(&state)
            }
        }
    }

    private func writeOut(_ state: inout State) throws {
        state.lastFlush = Date().timeIntervalSince1970
        guard !state.buffer.isEmpty, state.failure == nil else { return }
        var written = 0
        while written < state.buffer.count {
            let n = state.buffer.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                state.failure = FileError.posixError("cannot write", url.relativePath)
                return
            }
            written += n
        }
        state.buffer.removeAll(keepingCapacity: true)
    }
}

extension FileError {
    static func posixError(_ operation: String, _ path: String) -> FileError {
        FileError(operation, path, reason: String(cString: strerror(errno)))
    }
}

/// A value behind an NSLock (pthread-based, so TSan sees it; see docs on Synchronization.Mutex).
final class NSLockedState<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
