import Foundation

/// Why a recording could not be started.
public struct RecordingError: Error, CustomStringConvertible {
    public let description: String
}

/// An asciicast file written while the session runs.
///
/// Every line goes out in one `write(2)` as soon as it is made, so the file always ends on a whole
/// line and a `kill -9` keeps everything recorded so far. The caller batches output into one event
/// per burst (about one per frame), which keeps the writes few.
struct AsciicastWriter: Sendable {
    let path: String
    private let descriptor: Int32
    private var decoder = UTF8StreamDecoder()
    private var start = ContinuousClock.now
    /// Set on the first failed write; recording stops there (the session itself goes on).
    private(set) var failure: String?

    /// Creates (or truncates) the file. Nothing is written until `writeHeader`.
    init(creatingFileAt path: String) throws(RecordingError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw RecordingError(description: "cannot record to \(path): it is a directory")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw RecordingError(description: "cannot record to \(path): \(String(cString: strerror(errno)))")
        }
        self.path = path
        descriptor = fd
    }

    /// The header line; event times count from here.
    mutating func writeHeader(width: Int, height: Int, environment: [(name: String, value: String)]) {
        start = ContinuousClock.now
        append(Asciicast.headerLine(width: width, height: height, timestamp: Int(time(nil)), environment: environment))
    }

    /// One output event for `bytes` (an unfinished UTF-8 character at the end waits for the next one).
    mutating func recordOutput(_ bytes: some Collection<UInt8>) {
        let text = decoder.decode(bytes)
        guard !text.isEmpty else { return }
        append(Asciicast.outputEventLine(time: elapsed, text: text))
    }

    mutating func recordResize(width: Int, height: Int) {
        append(Asciicast.resizeEventLine(time: elapsed, width: width, height: height))
    }

    /// Writes what the decoder still holds and closes the file.
    mutating func finish() {
        let rest = decoder.finish()
        if !rest.isEmpty { append(Asciicast.outputEventLine(time: elapsed, text: rest)) }
        close(descriptor)
    }

    /// Closes and removes the file (the session never started, so there is nothing to keep).
    func discard() {
        close(descriptor)
        unlink(path)
    }

    private var elapsed: Double {
        let components = (ContinuousClock.now - start).components
        return Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }

    private mutating func append(_ line: String) {
        guard failure == nil else { return }
        let bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                let reason = written < 0 ? String(cString: strerror(errno)) : "nothing written"
                failure = "the recording \(path) stopped: \(reason)"
                return
            }
            offset += written
        }
    }
}
