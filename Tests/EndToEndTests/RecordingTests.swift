import Foundation
import XCTest

/// `--record FILE.cast` on the real binary in tmux: the file is a valid asciinema v2 recording, and
/// replaying its output bytes in a fresh terminal of the same size shows exactly the last screen.
final class RecordingTests: TmuxTestCase {
    /// ncurses leaves the alternate screen with this when the session ends.
    private static let leaveAlternateScreen = "\u{1B}[?1049l"

    /// gantop recording to `cast`, in a tmux window of `width` × `height`.
    private func startRecording(to cast: URL, width: Int, height: Int) throws -> TmuxSession {
        let run = try work().appendingPathComponent("run-\(UUID().uuidString.prefix(6))")
        return try startGantop(["--limit-images", "256", "--batch-size", "16", "--quality-every", "0", "--seed", "11",
                                "--no-save-on-quit", "--out", run.path, "--record", cast.path], width: width, height: height).session
    }

    // MARK: - The recording of a session

    func testRecordingIsValidAndReplaysToTheFinalScreen() throws {
        let cast = try work().appendingPathComponent("session.cast")
        let session = try startRecording(to: cast, width: 120, height: 40)
        let diagnostics = { "\nstderr: \(session.stderr)\nscreen:\n\(session.capture().joined(separator: "\n"))" }
        XCTAssertNotNil(session.poll(timeout: 20) { s in (FullScreenEndToEndTests.step(in: s) ?? 0) > 3 ? s : nil },
                        "the UI did not start training" + diagnostics())

        // A resize (an "r" event and a full repaint), then keys, so the last screen is made of
        // ncurses' partial updates on top of that repaint, not of the repaint alone.
        session.send(["Space"])
        XCTAssertNotNil(session.poll(timeout: 5) { s in s.first?.contains("PAUSED") == true ? s : nil },
                        "space did not pause" + diagnostics())
        session.tmux(["resize-window", "-t", "sig", "-x", "100", "-y", "30"])
        XCTAssertNotNil(stableScreen(session, rows: 30), "the screen did not settle at 100×30" + diagnostics())
        session.send(["n"])
        session.send(["s"])
        session.send(["2"])
        XCTAssertNotNil(session.poll(timeout: 5) { s in s.prefix(2).joined().contains("lr_D 4e-4") ? s : nil },
                        "2 did not double lr_D" + diagnostics())
        let final = try XCTUnwrap(stableScreen(session, rows: 30), "the screen did not settle" + diagnostics())
        XCTAssertTrue(final[0].contains("PAUSED"), "not paused any more" + diagnostics())

        session.send(["q"])
        XCTAssertEqual(session.poll(timeout: 10) { _ in session.exitStatus() }, "EXIT=0", "q did not exit 0" + diagnostics())

        let recording = try Recording(contentsOf: cast)
        XCTAssertEqual(recording.width, 120, "the header's width is the terminal's at the start")
        XCTAssertEqual(recording.height, 40)
        XCTAssertEqual(recording.term, "xterm-256color")
        XCTAssertTrue(recording.events.contains { $0.code == "r" && $0.data == "100x30" },
                      "no resize event to 100x30: \(recording.events.filter { $0.code == "r" })")
        XCTAssertGreaterThan(recording.events.filter { $0.code == "o" }.count, 5, "hardly any output recorded")

        // The output up to the point where ncurses gives the terminal back is the last frame.
        let output = recording.output
        let end = try XCTUnwrap(output.range(of: Self.leaveAlternateScreen, options: .backwards),
                                "the recording does not end by leaving the alternate screen")
        XCTAssertLessThan(output[end.upperBound...].utf8.count, 100, "more than the exit sequence after leaving the UI")
        // That frame is the last one before `q` with its message line saying that gantop is quitting
        // (the last step and a save may take seconds; a frozen RUNNING screen would look hung).
        let replayed = try replay(String(output[..<end.lowerBound]), width: 100, height: 30)
        XCTAssertEqual(replayed.count, final.count, "replaying the recording does not give a screen of the final size")
        let changed = zip(replayed, final).filter { $0.0 != $0.1 }.map(\.0)
        XCTAssertEqual(changed.count, 1, "replaying the recording does not give the final screen with a quit message:\n"
                       + replayed.prefix(3).joined(separator: "\n") + "\nbefore q:\n" + final.prefix(3).joined(separator: "\n"))
        XCTAssertTrue(changed.first?.contains("quitting…") == true, "no quit message on the last frame: \(changed)")
    }

    /// Killed outright, the recording still holds only whole events up to that moment.
    func testKilledSessionLeavesWholeLines() throws {
        let cast = try work().appendingPathComponent("killed.cast")
        let session = try startRecording(to: cast, width: 100, height: 30)
        XCTAssertNotNil(session.poll(timeout: 20) { s in (FullScreenEndToEndTests.step(in: s) ?? 0) > 30 ? s : nil },
                        "the UI did not start training: \(session.stderr)")
        let pid = try XCTUnwrap(session.gantopPID())
        kill(pid, SIGKILL)
        XCTAssertNotNil(session.poll(timeout: 10) { _ in session.exitStatus() })
        let recording = try Recording(contentsOf: cast)
        XCTAssertEqual(recording.width, 100)
        XCTAssertGreaterThanOrEqual(recording.events.count, 2, "the first frames were not recorded")
        XCTAssertTrue(recording.output.hasPrefix("\u{1B}[?1049h"), "the recording does not start by entering the UI")
    }

    /// SIGTERM ends the session the way `q` does: the recording is closed after the exit sequence.
    func testSIGTERMClosesTheRecording() throws {
        let cast = try work().appendingPathComponent("terminated.cast")
        let session = try startRecording(to: cast, width: 100, height: 30)
        XCTAssertNotNil(session.poll(timeout: 20) { s in (FullScreenEndToEndTests.step(in: s) ?? 0) > 3 ? s : nil },
                        "the UI did not start training: \(session.stderr)")
        kill(try XCTUnwrap(session.gantopPID()), SIGTERM)
        XCTAssertEqual(session.poll(timeout: 10) { _ in session.exitStatus() }, "EXIT=\(128 + SIGTERM)")
        let recording = try Recording(contentsOf: cast)
        XCTAssertNotNil(recording.output.range(of: Self.leaveAlternateScreen), "the exit sequence was not recorded")
    }

    // MARK: - Helpers

    /// The screen once it has `rows` rows and stays the same for half a second.
    private func stableScreen(_ session: TmuxSession, rows: Int) -> [String]? {
        var previous: [String] = []
        return session.poll(timeout: 10) { s in
            defer { previous = s }
            guard s.count == rows, s == previous else { return nil }
            usleep(400_000)
            return session.capture() == s ? s : nil
        }
    }

    /// What a fresh terminal of `width` × `height` shows after receiving `output`. The pane's tty is
    /// put in raw mode first, as gantop's was (ncurses turns newline translation off).
    private func replay(_ output: String, width: Int, height: Int) throws -> [String] {
        let root = try work().appendingPathComponent("replay-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let bytes = root.appendingPathComponent("output.bin"), done = root.appendingPathComponent("done")
        try Data(output.utf8).write(to: bytes)
        let script = "stty raw -echo; cat \(shellQuoted(bytes.path)); touch \(shellQuoted(done.path)); sleep 60"
        let session = try startSession(["sh", "-c", script], root: root, width: width, height: height)
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: done.path) && Date() < deadline { usleep(50_000) }
        usleep(300_000)  // tmux draws what cat wrote
        return session.capture()
    }
}

/// An asciicast v2 file, checked line by line as it is read: a JSON header, then `[time, code, data]`
/// arrays with times that never go back, and no partial line at the end.
struct Recording {
    struct Event {
        var time: Double
        var code: String
        var data: String
    }

    var width: Int
    var height: Int
    var term: String?
    var events: [Event] = []

    /// Every "o" event's data, in order: the bytes the terminal received.
    var output: String { events.filter { $0.code == "o" }.map(\.data).joined() }

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        guard let text = String(data: data, encoding: .utf8) else { throw Invalid(description: "\(url.lastPathComponent) is not UTF-8") }
        guard text.hasSuffix("\n") else { throw Invalid(description: "\(url.lastPathComponent) ends in a partial line") }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard let first = lines.first,
              let header = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any],
              header["version"] as? Int == 2, let width = header["width"] as? Int, let height = header["height"] as? Int,
              header["timestamp"] as? Int != nil else {
            throw Invalid(description: "not an asciicast v2 header: \(lines.first ?? "(empty file)")")
        }
        self.width = width
        self.height = height
        term = (header["env"] as? [String: Any])?["TERM"] as? String
        for (number, line) in lines.enumerated().dropFirst() {
            guard let array = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any], array.count == 3,
                  let time = (array[0] as? NSNumber)?.doubleValue, let code = array[1] as? String,
                  ["o", "r"].contains(code), let data = array[2] as? String else {
                throw Invalid(description: "line \(number + 1) is not a [time, \"o\"|\"r\", data] event: \(line.prefix(200))")
            }
            if let last = events.last, time < last.time {
                throw Invalid(description: "line \(number + 1): time \(time) goes back from \(last.time)")
            }
            events.append(Event(time: time, code: code, data: data))
        }
    }
}
