import Foundation
import XCTest

/// The real `gantop` binary in a real terminal: tmux on a private socket, 160×50, keys sent
/// with `send-keys`, the screen read back with `capture-pane`. Every wait polls with a bound.
final class FullScreenEndToEndTests: XCTestCase {
    private var tmuxPath: String?
    private var socket = "gantop-e2e-\(getpid())"
    private var workDirectory: URL?
    private var socketPath: String?

    override func tearDown() {
        // Always take our private tmux server down (SIGHUP makes gantop quit cleanly if it still runs).
        if let tmuxPath { _ = Self.run(tmuxPath, ["-L", socket, "kill-server"]) }
        if let socketPath { unlink(socketPath) }  // tmux leaves the socket file behind
        if let workDirectory { try? FileManager.default.removeItem(at: workDirectory) }
        super.tearDown()
    }

    // MARK: - The full-screen UI in tmux

    func testFullScreenSessionInTmux() throws {
        let tmux = try Self.findExecutable("tmux")
        tmuxPath = tmux
        let binary = try Self.gantopBinary()
        let work = try makeWorkDirectory()
        let out = work.appendingPathComponent("out")
        let exitFile = work.appendingPathComponent("exit")
        let stderrFile = work.appendingPathComponent("stderr")
        let data = Self.repositoryRoot.appendingPathComponent("assets/mnist")

        // Status line off (the pane is the whole 160×50 window); keep the pane after exit so a
        // startup failure can still be read back.
        let config = work.appendingPathComponent("tmux.conf")
        try "set -g status off\nset -g remain-on-exit on\nset -g default-terminal xterm-256color\n"
            .write(to: config, atomically: true, encoding: .utf8)
        // `swift test` exports NO_COLOR=1; unset it so the 256-colour path (half-block digits) is what runs.
        let script = work.appendingPathComponent("run.sh")
        try """
            TERM=xterm-256color; export TERM
            unset NO_COLOR
            \(Self.shellQuoted(binary.path)) --seed 7 --data \(Self.shellQuoted(data.path)) --out \(Self.shellQuoted(out.path)) 2>\(Self.shellQuoted(stderrFile.path))
            echo "EXIT=$?" > \(Self.shellQuoted(exitFile.path))

            """.write(to: script, atomically: true, encoding: .utf8)
        let started = tmuxCommand(["-f", config.path, "new-session", "-d", "-s", "e2e", "-x", "160", "-y", "50",
                                   "sh \(Self.shellQuoted(script.path))"])
        XCTAssertEqual(started.status, 0, "tmux new-session failed: \(started.output)")
        let socketFile = tmuxCommand(["display-message", "-p", "#{socket_path}"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if socketFile.contains(socket) { socketPath = socketFile }
        let diagnostics = { () -> String in
            let err = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
            return "\ngantop stderr: \(err.isEmpty ? "(empty)" : err)\nscreen:\n\(self.capture().joined(separator: "\n"))"
        }

        // 1. The first frame: every panel is there.
        var screen = try XCTUnwrap(poll(timeout: 20) { s in
            Self.panelProblems(s, width: 160, height: 50, state: "RUNNING").isEmpty ? s : nil
        }, "no complete first frame within 20 s: "
            + Self.panelProblems(capture(), width: 160, height: 50, state: "RUNNING").joined(separator: "; ")
            + diagnostics())
        if Self.gan1DRegion(screen).joined().contains("no 1-D data") {
            print("note: the 1-D panel still says \"no 1-D data\" (accepted for now)")
        }
        XCTAssertNotNil(Self.step(in: screen), "no `step N` in the status bar" + diagnostics())

        // 2. space → PAUSED, and the step counter stands still.
        sendKeys("Space")
        screen = try XCTUnwrap(poll(timeout: 5) { s in s.first?.contains("PAUSED") == true ? s : nil },
                               "space did not pause" + diagnostics())
        let pausedAt = try XCTUnwrap(Self.step(in: screen), "no step in the status bar" + diagnostics())
        assertStepStays(at: pausedAt, for: 0.5)

        // 3. n → exactly one more step.
        sendKeys("n")
        _ = try XCTUnwrap(poll(timeout: 5) { s in Self.step(in: s) == pausedAt + 1 ? s : nil },
                          "n did not advance from step \(pausedAt) to \(pausedAt + 1)" + diagnostics())
        assertStepStays(at: pausedAt + 1, for: 0.3)
        XCTAssertTrue(capture().first?.contains("PAUSED") == true, "still PAUSED after n" + diagnostics())

        // 3b. d / g → one D (G) update alone: the step stands, the other loss reads "–"; 1 halves lr_D.
        sendKeys("d")
        _ = try XCTUnwrap(poll(timeout: 5) { s in
            s.prefix(2).joined().contains("D alone") && s[0].contains(" G – ") ? s : nil
        }, "d did not show a lone D update" + diagnostics())
        sendKeys("g")
        _ = try XCTUnwrap(poll(timeout: 5) { s in
            s.prefix(2).joined().contains("G alone") && s[0].contains(" D – ") ? s : nil
        }, "g did not show a lone G update" + diagnostics())
        sendKeys("1")
        _ = try XCTUnwrap(poll(timeout: 5) { s in s.prefix(2).joined().contains("lr_D 1e-4") ? s : nil },
                          "1 did not halve lr_D to 1e-4" + diagnostics())
        assertStepStays(at: pausedAt + 1, for: 0.2)

        // 4. w → the run directory holds a valid checkpoint, sample grid and losses.csv.
        let saved = pausedAt + 1
        sendKeys("w")
        let checkpoint = out.appendingPathComponent("checkpoint-step\(saved).safetensors")
        let png = out.appendingPathComponent("samples-step\(saved).png")
        let csv = out.appendingPathComponent("losses.csv")
        let filesThere = poll(timeout: 10) { s -> Bool? in
            let fm = FileManager.default
            let all = [checkpoint, png, csv].allSatisfy { fm.fileExists(atPath: $0.path) }
            return all && s.prefix(2).joined().contains("saved step \(saved)") ? true : nil
        }
        let listing = (try? FileManager.default.contentsOfDirectory(atPath: out.path))?.sorted() ?? []
        XCTAssertNotNil(filesThere, "after w: expected \(checkpoint.lastPathComponent), \(png.lastPathComponent), "
                        + "losses.csv and a `saved step \(saved)` message; the out dir holds \(listing)" + diagnostics())
        if filesThere != nil {
            try Self.assertValidPNG(png)
            try Self.assertValidLosses(csv, lastStep: saved)
            try Self.assertValidSafetensors(checkpoint)
            let events = try String(contentsOf: out.appendingPathComponent("events.csv"), encoding: .utf8)
            XCTAssertTrue(events.hasPrefix("step,event,value\n\(saved),d_update,") && events.contains("\(saved),lr_d,0.0001\n"),
                          "events.csv: \(events)")
        }

        // 5. Resizes: narrower layout, then too small, then back; always well formed.
        resizeWindow(100, 30)
        _ = try XCTUnwrap(poll(timeout: 5) { s in
            Self.shapeProblems(s, width: 100, height: 30).isEmpty && s[0].contains("PAUSED")
                && s[29].contains("q quit") && Self.step(in: s) == saved ? s : nil
        }, "not well formed at 100×30: " + Self.shapeProblems(capture(), width: 100, height: 30).joined(separator: "; ")
            + diagnostics())
        resizeWindow(70, 20)
        _ = try XCTUnwrap(poll(timeout: 5) { s in
            Self.shapeProblems(s, width: 70, height: 20).isEmpty && s.joined().contains("terminal too small")
                && s.joined().contains("70×20") ? s : nil
        }, "no `terminal too small` message at 70×20" + diagnostics())
        resizeWindow(160, 50)
        _ = try XCTUnwrap(poll(timeout: 5) { s in
            Self.panelProblems(s, width: 160, height: 50, state: "PAUSED").isEmpty && Self.step(in: s) == saved ? s : nil
        }, "not well formed back at 160×50: "
            + Self.panelProblems(capture(), width: 160, height: 50, state: "PAUSED").joined(separator: "; ") + diagnostics())

        // 6. q → exit status 0.
        sendKeys("q")
        let exit = poll(timeout: 10) { _ in
            (try? String(contentsOf: exitFile, encoding: .utf8)).flatMap { $0.isEmpty ? nil : $0 }
        }
        XCTAssertEqual(exit?.trimmingCharacters(in: .whitespacesAndNewlines), "EXIT=0",
                       "gantop did not exit with status 0 after q" + diagnostics())
    }

    // MARK: - Not a terminal

    func testRefusesToRunWithoutATerminal() throws {
        let binary = try Self.gantopBinary()
        let work = try makeWorkDirectory()
        let out = work.appendingPathComponent("out")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["--seed", "7", "--data", Self.repositoryRoot.appendingPathComponent("assets/mnist").path,
                             "--out", out.path]
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "xterm-256color"
        process.environment = environment
        let stdout = Pipe(), stderr = Pipe()
        process.standardInput = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let outData = stdout.fileHandleForReading.readDataToEndOfFile()
        let errData = stderr.fileHandleForReading.readDataToEndOfFile()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            process.terminate()
            XCTFail("gantop without a terminal did not exit within 10 s")
            return
        }
        let err = String(decoding: errData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertNotEqual(process.terminationStatus, 0, "gantop without a terminal must fail")
        XCTAssertEqual(err.split(separator: "\n").count, 1, "expected a one-line error, got:\n\(err)")
        XCTAssertTrue(err.contains("--headless"), "the error should point at --headless: \(err)")
        XCTAssertTrue(outData.isEmpty, "nothing on stdout, got: \(String(decoding: outData, as: UTF8.self))")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing saved when refusing to start")
    }

    // MARK: - tmux

    private func tmuxCommand(_ arguments: [String]) -> (status: Int32, output: String) {
        Self.run(tmuxPath!, ["-u", "-L", socket] + arguments)
    }

    private func sendKeys(_ key: String) {
        let r = tmuxCommand(["send-keys", "-t", "e2e", key])
        XCTAssertEqual(r.status, 0, "tmux send-keys \(key) failed: \(r.output)")
    }

    private func resizeWindow(_ width: Int, _ height: Int) {
        let r = tmuxCommand(["resize-window", "-t", "e2e", "-x", String(width), "-y", String(height)])
        XCTAssertEqual(r.status, 0, "tmux resize-window failed: \(r.output)")
    }

    /// The visible screen, one string per row (tmux trims trailing blanks).
    private func capture() -> [String] {
        let r = tmuxCommand(["capture-pane", "-p", "-t", "e2e"])
        guard r.status == 0 else { return [] }
        var lines = r.output.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// Captures every 100 ms until `check` returns a value, or `timeout` seconds pass.
    private func poll<T>(timeout: Double, _ check: ([String]) -> T?) -> T? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let screen = capture()
            if !screen.isEmpty, let value = check(screen) { return value }
            if Date() >= deadline { return nil }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    private func assertStepStays(at step: Int, for seconds: Double, file: StaticString = #filePath, line: UInt = #line) {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            let now = Self.step(in: capture())
            if now != step {
                XCTFail("the status bar's step went from \(step) to \(now.map(String.init) ?? "nothing") while paused",
                        file: file, line: line)
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        } while Date() < deadline
    }

    private func makeWorkDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("gantop-e2e-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        workDirectory = url
        return url
    }

    // MARK: - Reading the screen

    static let braille: ClosedRange<Unicode.Scalar> = "\u{2800}" ... "\u{28FF}"
    static let blockElements = Set("▁▂▃▄▅▆▇█".unicodeScalars)
    static let digitGlyphs = Set("▀.:-=+*#%@".unicodeScalars)

    /// `step 1,234` from the status bar (its top two rows), as 1234.
    static func step(in screen: [String]) -> Int? {
        for row in screen.prefix(2) {
            var rest = Substring(row)
            while let r = rest.range(of: "step ") {
                let digits = rest[r.upperBound...].prefix { $0.isNumber || $0 == "," }
                if let n = Int(digits.filter { $0 != "," }), digits.first?.isNumber == true { return n }
                rest = rest[r.upperBound...]
            }
        }
        return nil
    }

    /// Row and column (in cells) of `text` on the screen.
    static func locate(_ text: String, in screen: [String]) -> (row: Int, column: Int)? {
        for (y, row) in screen.enumerated() {
            if let r = row.range(of: text) { return (y, row.unicodeScalars[..<r.lowerBound].count) }
        }
        return nil
    }

    /// Cells `columns` of row `row` (all cells are one column wide here).
    static func cells(_ row: String, _ columns: Range<Int>) -> [Unicode.Scalar] {
        let scalars = Array(row.unicodeScalars)
        let lo = min(columns.lowerBound, scalars.count), hi = min(columns.upperBound, scalars.count)
        return Array(scalars[lo ..< hi])
    }

    /// The panels are found by their titles, so the test follows layout tweaks:
    /// loss chart top-left, digit grid top-right, 1-D panel below them (the ≥ 120-column layout).
    struct Panels {
        var loss: [[Unicode.Scalar]]
        var digits: [[Unicode.Scalar]]
        var gan1D: [String]
    }

    static func panels(_ screen: [String]) -> Panels? {
        guard let loss = locate("Losses", in: screen), let digits = locate("Samples G(z)", in: screen),
              let g1d = locate("1-D GAN", in: screen), loss.row < g1d.row, digits.row < g1d.row else { return nil }
        let split = max(digits.column - 3, 0)
        let bodyRows = (loss.row + 1) ..< g1d.row
        return Panels(loss: bodyRows.map { cells(screen[$0], 0 ..< split) },
                      digits: bodyRows.map { cells(screen[$0], split ..< Int.max) },
                      gan1D: Array(screen[(g1d.row + 1) ..< max(g1d.row + 1, screen.count - 2)]))
    }

    static func gan1DRegion(_ screen: [String]) -> [String] { panels(screen)?.gan1D ?? [] }

    /// Rows of exactly `height`, none wider than `width`.
    static func shapeProblems(_ screen: [String], width: Int, height: Int) -> [String] {
        var problems: [String] = []
        if screen.count != height { problems.append("\(screen.count) rows, expected \(height)") }
        for (y, row) in screen.enumerated() where row.unicodeScalars.count > width {
            problems.append("row \(y) is \(row.unicodeScalars.count) cells wide (> \(width))")
        }
        return problems
    }

    /// What is missing from a full frame at `width` × `height` (empty: all there).
    static func panelProblems(_ screen: [String], width: Int, height: Int, state: String) -> [String] {
        var problems = shapeProblems(screen, width: width, height: height)
        guard problems.isEmpty else { return problems }
        if !screen[0].contains(state) { problems.append("status bar does not say \(state)") }
        if step(in: screen) == nil { problems.append("status bar shows no step") }
        if !screen[height - 1].contains("q quit") { problems.append("no key hints on the last row") }
        guard let p = panels(screen) else { return problems + ["panel titles (Losses, Samples G(z), 1-D GAN) not found"] }
        if !p.loss.joined().contains(where: { braille.contains($0) }) {
            problems.append("no braille in the loss panel")
        }
        if p.digits.joined().filter({ digitGlyphs.contains($0) }).count < 50 {
            problems.append("no half-blocks or ramp characters in the digit panel")
        }
        let g1d = p.gan1D.joined()
        if !g1d.contains("no 1-D data") && g1d.unicodeScalars.filter({ blockElements.contains($0) }).count < 3 {
            problems.append("no block elements (▁…█) in the 1-D panel")
        }
        return problems
    }

    // MARK: - Saved files

    static func assertValidPNG(_ url: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: url))
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(url.lastPathComponent): no PNG signature")
        guard bytes.count >= 33 else { return XCTFail("\(url.lastPathComponent) is only \(bytes.count) bytes") }
        XCTAssertEqual(String(decoding: bytes[12 ..< 16], as: UTF8.self), "IHDR")
        let be32 = { (i: Int) in bytes[i ..< i + 4].reduce(0) { $0 << 8 | Int($1) } }
        let (w, h) = (be32(16), be32(20))
        XCTAssertTrue(w >= 4 * 28 && w == h, "a 4×4 grid of 28-px digits should be square and ≥ 112 px, got \(w)×\(h)")
    }

    static func assertValidLosses(_ url: URL, lastStep: Int) throws {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        XCTAssertEqual(lines.first.map(String.init), "step,epoch,d_loss,g_loss,d_real,d_fake")
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        XCTAssertEqual(rows.count, lastStep, "losses.csv should hold one row per step 1…\(lastStep)")
        XCTAssertTrue(rows.allSatisfy { $0.count == 6 }, "every losses.csv row has 6 fields")
        XCTAssertEqual(rows.map { Int($0[0]) }, (1 ... lastStep).map { $0 }, "losses.csv steps")
        XCTAssertTrue(rows.allSatisfy { $0[2...].allSatisfy { Float($0)?.isFinite == true } }, "losses are finite numbers")
    }

    /// safetensors: u64 LE header length, a JSON header, then exactly the bytes it describes.
    static func assertValidSafetensors(_ url: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: url))
        guard bytes.count >= 8 else { return XCTFail("\(url.lastPathComponent) is only \(bytes.count) bytes") }
        let n = bytes[0 ..< 8].reversed().reduce(0) { $0 << 8 | Int($1) }
        guard 8 + n <= bytes.count else { return XCTFail("header length \(n) exceeds the file (\(bytes.count) bytes)") }
        let header = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(bytes[8 ..< 8 + n])) as? [String: Any],
                                   "the safetensors header is not a JSON object")
        var end = 0, tensors = 0
        for (name, value) in header where name != "__metadata__" {
            let entry = try XCTUnwrap(value as? [String: Any], "tensor \(name)")
            XCTAssertNotNil(entry["dtype"] as? String, "tensor \(name) has no dtype")
            XCTAssertNotNil(entry["shape"] as? [Int], "tensor \(name) has no shape")
            let offsets = try XCTUnwrap(entry["data_offsets"] as? [Int], "tensor \(name) has no data_offsets")
            XCTAssertEqual(offsets.count, 2)
            end = max(end, offsets.last ?? 0)
            tensors += 1
        }
        XCTAssertGreaterThanOrEqual(tensors, 14, "G and D have 7 weight/bias tensors between them, at least twice")
        XCTAssertEqual(8 + n + end, bytes.count, "the tensors' data must end exactly at the end of the file")
    }

    // MARK: - Finding things

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The `gantop` that `swift test` just built: next to the test bundle (whatever --scratch-path
    /// was), else `.build/debug/gantop`; `GANTOP_BINARY` overrides both.
    static func gantopBinary() throws -> URL {
        let fm = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["GANTOP_BINARY"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        var starts: [URL] = [Bundle.main.bundleURL, Bundle(for: FullScreenEndToEndTests.self).bundleURL]
        if let exe = Bundle.main.executableURL { starts.append(exe.deletingLastPathComponent()) }
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            starts.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
        }
        for start in starts {
            var dir = start.resolvingSymlinksInPath()
            for _ in 0 ..< 4 {
                let candidate = dir.appendingPathComponent("gantop")
                var isDirectory: ObjCBool = false
                if fm.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                   fm.isExecutableFile(atPath: candidate.path) {
                    return candidate
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        let fallback = repositoryRoot.appendingPathComponent(".build/debug/gantop")
        guard fm.isExecutableFile(atPath: fallback.path) else {
            throw XCTSkip("the gantop binary was not found next to the test bundle (\(starts.map(\.path))) nor at "
                          + "\(fallback.path); build it first or set GANTOP_BINARY")
        }
        return fallback
    }

    static func findExecutable(_ name: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw XCTSkip("`\(name)` is not installed; the end-to-end terminal test needs it (apt-get install tmux)")
    }

    /// Runs a command to completion; its stdout and stderr together (through a file).
    ///
    /// Not `Foundation.Process`: on Linux it learns that a child ended when an inherited socket
    /// closes, and the tmux server forked by `new-session` would hold that socket (and any pipe)
    /// open for its whole life, so `waitUntilExit` would hang. Here the child gets only
    /// stdin/stdout/stderr, and we `waitpid` for it ourselves.
    static func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("gantop-e2e-\(getpid())-\(UUID().uuidString).out").path
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let maxFD = Int32(min(sysconf(Int32(_SC_OPEN_MAX)), 65536))
        if maxFD > 3 {
            for fd in 3 ..< maxFD where fcntl(fd, F_GETFD) != -1 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = argv.withUnsafeBufferPointer { buffer in
            posix_spawn(&pid, executable, &actions, nil, UnsafeMutablePointer(mutating: buffer.baseAddress!), environ)
        }
        guard spawned == 0 else { return (-1, "posix_spawn \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }

    static func shellQuoted(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
