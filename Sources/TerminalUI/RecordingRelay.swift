import CNcursesw
import Foundation
import Synchronization

/// Puts the bytes ncurses writes into a recording as well as on the screen.
///
/// ncurses 6 sends its output with write(2) on the output FILE's descriptor, bypassing stdio, so a
/// FILE that tees (fopencookie) sees nothing; and it sets the terminal's modes and reads its size
/// on that same descriptor, so a pipe will not do either. A pseudo-terminal is both a terminal and
/// a tap: ncurses draws on its slave end, and a thread copies everything from the master end to the
/// real terminal and into the recording, as `script` and `asciinema rec` do. The real terminal sees
/// only the copied bytes, so the recording holds exactly what was shown.
///
/// ncurses now sets its modes on the slave, so the relay puts the real terminal in raw mode itself
/// (and gives the original modes back in `finish`); window sizes go to the slave on SIGWINCH.
final class RecordingRelay: Sendable {
    /// ncurses' output descriptor. Closing it (after `endwin`) is what ends the relay.
    let slaveDescriptor: Int32
    private let masterDescriptor: Int32
    private let originalModes: termios
    private let finished = DispatchSemaphore(value: 0)
    private let failure = Mutex<String?>(nil)

    /// The terminal whose modes change: the one keys are read from.
    private static let realTerminal = STDIN_FILENO

    /// Opens the pseudo-terminal at the real terminal's size and modes, writes the recording's
    /// header, starts copying, and only then switches the real terminal to raw mode.
    init(writer: AsciicastWriter) throws(RecordingError) {
        var modes = termios()
        var width: Int32 = 80, height: Int32 = 24
        guard tcgetattr(Self.realTerminal, &modes) == 0 else {
            throw RecordingError(description: "cannot record: the terminal's modes cannot be read (\(String(cString: strerror(errno))))")
        }
        _ = gt_window_size(STDOUT_FILENO, &width, &height)
        var master: Int32 = -1, slave: Int32 = -1
        guard gt_open_pty(&master, &slave, &modes, width, height) == 0 else {
            throw RecordingError(description: "cannot record: no pseudo-terminal (\(String(cString: strerror(errno))))")
        }
        masterDescriptor = master
        slaveDescriptor = slave
        originalModes = modes

        var writer = writer
        let environment = ["TERM", "SHELL"].compactMap { name in
            ProcessInfo.processInfo.environment[name].map { (name: name, value: $0) }
        }
        let size = (width: Int(width), height: Int(height))
        writer.writeHeader(width: size.width, height: size.height, environment: environment)
        let copier = Thread { [self, writer, size] in
            var writer = writer
            Self.copy(from: masterDescriptor, size: size, into: &writer)
            writer.finish()
            failure.withLock { $0 = writer.failure }
            finished.signal()
        }
        copier.name = "gantop recording"
        copier.start()

        var raw = modes
        cfmakeraw(&raw)
        tcsetattr(Self.realTerminal, TCSANOW, &raw)
    }

    /// After a SIGWINCH: gives the slave the real terminal's new size (ncurses asks the slave).
    /// Returns that size.
    func followWindowSize() -> (width: Int, height: Int)? {
        var width: Int32 = 0, height: Int32 = 0
        guard gt_window_size(STDOUT_FILENO, &width, &height), gt_set_window_size(masterDescriptor, width, height) else {
            return nil
        }
        return (Int(width), Int(height))
    }

    /// Waits until everything written on the slave has reached the screen and the recording, closes
    /// the recording and gives the real terminal its modes back. Call after closing the slave.
    /// Returns why the recording stopped early, if it did.
    func finish() -> String? {
        // The copy ends when the slave is closed and drained; the bound only guards against a
        // terminal that no longer accepts output.
        _ = finished.wait(timeout: .now() + 5)
        close(masterDescriptor)
        var modes = originalModes
        tcsetattr(Self.realTerminal, TCSADRAIN, &modes)
        return failure.withLock { $0 }
    }

    /// The copying loop (on its own thread): every read goes to the screen at once; the recording
    /// gets one event per burst, since ncurses writes a frame in a few quick writes.
    private static func copy(from master: Int32, size: (width: Int, height: Int), into writer: inout AsciicastWriter) {
        let burstGapMilliseconds: Int32 = 4
        let maximumEventBytes = 1 << 20
        var recordedSize = size
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var pending: [UInt8] = []

        func recordPending() {
            var width: Int32 = 0, height: Int32 = 0
            if gt_window_size(master, &width, &height), (Int(width), Int(height)) != recordedSize {
                recordedSize = (Int(width), Int(height))
                writer.recordResize(width: recordedSize.width, height: recordedSize.height)
            }
            if !pending.isEmpty { writer.recordOutput(pending) }
            pending.removeAll(keepingCapacity: true)
        }

        while true {
            var ready = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            let polled = poll(&ready, 1, pending.isEmpty ? -1 : burstGapMilliseconds)
            if polled < 0 && errno == EINTR { continue }
            if polled == 0 {
                recordPending()
                continue
            }
            let count = chunk.withUnsafeMutableBytes { read(master, $0.baseAddress!, $0.count) }
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            // EIO (or 0): the slave is closed and everything it held has been read.
            guard count > 0 else { break }
            writeToScreen(chunk[0 ..< count])
            pending.append(contentsOf: chunk[0 ..< count])
            if pending.count >= maximumEventBytes { recordPending() }
        }
        recordPending()
    }

    /// Writes to the real terminal; once that fails (the terminal hung up) output is dropped, but
    /// the loop keeps draining the slave so ncurses never blocks.
    private static func writeToScreen(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}

/// SIGWINCH while recording: ncurses' own handler would ask the slave for its size, which only
/// changes when the relay copies it there, so this handler just raises a flag for `readKey`.
enum WindowSizeSignal {
    private static let changed = Atomic<Bool>(false)

    static func install() {
        signal(SIGWINCH) { _ in WindowSizeSignal.changed.store(true, ordering: .relaxed) }
    }

    static func uninstall() {
        signal(SIGWINCH, SIG_DFL)
    }

    /// Whether a SIGWINCH came since the last call.
    static func take() -> Bool {
        changed.exchange(false, ordering: .relaxed)
    }
}
