import Foundation
import XCTest

/// SIGTERM, SIGINT and SIGHUP end gantop cleanly: status 128 + signal, losses.csv complete up to the
/// last finished step, the final save there and loadable; in the full-screen UI the terminal is given back.
final class SignalTests: XCTestCase {
    private var scratch: URL?
    private var tmux: TmuxSession?

    override func tearDown() {
        tmux?.kill()
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
        super.tearDown()
    }

    private static var data: String { FullScreenEndToEndTests.repositoryRoot.appendingPathComponent("assets/mnist").path }

    private func work() throws -> URL {
        if let scratch { return scratch }
        let url = try makeScratchDirectory("signals")
        scratch = url
        return url
    }

    // MARK: - Headless

    func testHeadlessSIGTERM() throws { try headless(signal: SIGTERM, saveEvery: 5) }
    func testHeadlessSIGINT() throws { try headless(signal: SIGINT, saveEvery: 5) }
    func testHeadlessSIGHUP() throws { try headless(signal: SIGHUP, saveEvery: 5) }
    /// Saving every step: the signal most likely lands in the middle of a save.
    func testHeadlessSIGTERMDuringSaves() throws { try headless(signal: SIGTERM, saveEvery: 1) }

    private func headless(signal: Int32, saveEvery: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let binary = try FullScreenEndToEndTests.gantopBinary().path
        let root = try work()
        let out = root.appendingPathComponent("run-\(signal)-\(saveEvery)")
        let child = try ChildProcess.start(binary, ["train", "--headless", "--data", Self.data, "--limit-images", "256",
                                                    "--batch-size", "16", "--quality-every", "0", "--seed", "5",
                                                    "--steps", "1000000", "--out", out.path,
                                                    "--save-every", String(saveEvery), "--log-every", "1"],
                                           in: root, outputPrefix: root.appendingPathComponent("headless-\(signal)"))
        // Past two periodic saves, so losses.csv is being appended row by row.
        let target = 2 * saveEvery + 3
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && Self.lastLoggedStep(child.currentStdout) ?? 0 < target { usleep(20_000) }
        let progressed = Self.lastLoggedStep(child.currentStdout) ?? 0
        child.signal(signal)
        let sentAt = Date()
        let r = child.wait(timeout: 15)
        let took = Date().timeIntervalSince(sentAt)
        let context = "\nsignal \(signal), status \(r.status)\nstderr:\n\(r.stderr)\nstdout tail:\n\(r.stdout.suffix(600))"
        XCTAssertGreaterThanOrEqual(progressed, target, "no progress before the signal" + context, file: file, line: line)
        XCTAssertFalse(r.timedOut, "did not end within 15 s of the signal" + context, file: file, line: line)
        XCTAssertFalse(r.signalled, "died of the signal instead of handling it" + context, file: file, line: line)
        XCTAssertEqual(r.status, 128 + signal, "exit status" + context, file: file, line: line)
        XCTAssertLessThan(took, 5, "took \(took) s to stop" + context, file: file, line: line)
        for marker in CommandLineTests.crashMarkers where r.stderr.contains(marker) {
            XCTFail("crash report (\(marker))" + context, file: file, line: line)
        }
        let lastRow = try Self.assertCompleteLosses(out.appendingPathComponent("losses.csv"), context: context, file: file, line: line)
        let savedStep = try Self.loadableStep(out.appendingPathComponent("checkpoint-latest.safetensors"), in: root)
        XCTAssertEqual(savedStep, lastRow, "the final save should hold the last finished step" + context, file: file, line: line)
        XCTAssertEqual(listing(out).filter { $0.contains(".tmp") || $0.hasPrefix(".") }, [],
                       "temporary files left in the run directory" + context, file: file, line: line)
    }

    // MARK: - Full-screen UI in tmux

    func testFullScreenSIGTERMRestoresTerminal() throws { try fullScreen(signal: SIGTERM, pauseFirst: false) }
    func testFullScreenSIGHUPWhilePaused() throws { try fullScreen(signal: SIGHUP, pauseFirst: true) }

    private func fullScreen(signal: Int32, pauseFirst: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        let binary = try FullScreenEndToEndTests.gantopBinary().path
        let root = try work()
        let out = root.appendingPathComponent("ui-run")
        let session = try TmuxSession.start(root: root, width: 120, height: 40, command: [
            binary, "--data", Self.data, "--limit-images", "256", "--batch-size", "16", "--quality-every", "0",
            "--seed", "9", "--out", out.path,
        ])
        tmux = session
        let diagnostics = { "\nstderr: \(session.stderr)\nscreen:\n\(session.capture().joined(separator: "\n"))" }
        let running = session.poll(timeout: 20) { s in (FullScreenEndToEndTests.step(in: s) ?? 0) > 3 ? s : nil }
        XCTAssertNotNil(running, "the UI did not start training" + diagnostics(), file: file, line: line)
        if pauseFirst {
            session.send(["Space"])
            XCTAssertNotNil(session.poll(timeout: 5) { s in s.first?.contains("PAUSED") == true ? s : nil },
                            "space did not pause" + diagnostics(), file: file, line: line)
        }
        guard let pid = session.gantopPID() else { return XCTFail("no pid file" + diagnostics(), file: file, line: line) }
        kill(pid, signal)
        let exit = session.poll(timeout: 10) { _ in session.exitStatus() }
        XCTAssertEqual(exit, "EXIT=\(128 + signal)", "exit status after signal \(signal)" + diagnostics(), file: file, line: line)
        // The shell's output is back on the normal screen; the UI is gone.
        var screen: [String]?
        for _ in 0 ..< 50 where screen == nil {
            let s = session.capture(history: true)
            if s.joined(separator: "\n").contains(TmuxSession.marker) { screen = s } else { usleep(100_000) }
        }
        XCTAssertNotNil(screen, "the marker echoed after gantop exits is not on the screen" + diagnostics(), file: file, line: line)
        if let screen {
            let text = screen.joined(separator: "\n")
            for uiText in ["Losses", "Samples G(z)", "q quit", "RUNNING", "PAUSED"] where text.contains(uiText) {
                XCTFail("the UI (\(uiText)) is still on the screen after exit" + diagnostics(), file: file, line: line)
            }
        }
        XCTAssertEqual(session.altScreen(), "0", "still in the alternate screen" + diagnostics(), file: file, line: line)
        let lastRow = try Self.assertCompleteLosses(out.appendingPathComponent("losses.csv"), context: diagnostics(), file: file, line: line)
        let savedStep = try Self.loadableStep(out.appendingPathComponent("checkpoint-latest.safetensors"), in: root)
        XCTAssertEqual(savedStep, lastRow, "the final save should hold the last finished step" + diagnostics(), file: file, line: line)
    }

    // MARK: - Checks

    static func lastLoggedStep(_ stdout: String) -> Int? {
        for line in stdout.split(separator: "\n").reversed() where line.hasPrefix("step ") {
            let digits = line.dropFirst(5).drop { $0 == " " }.prefix { $0.isNumber }
            if let n = Int(digits) { return n }
        }
        return nil
    }

    /// losses.csv: the header, rows 1…N with 6 fields each, ending in a newline (no partial row). Returns N.
    @discardableResult
    static func assertCompleteLosses(_ url: URL, context: String, file: StaticString = #filePath, line: UInt = #line) throws -> Int? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            XCTFail("no \(url.lastPathComponent)" + context, file: file, line: line)
            return nil
        }
        XCTAssertTrue(text.hasSuffix("\n"), "losses.csv ends in a partial row" + context, file: file, line: line)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.first.map(String.init), "step,epoch,d_loss,g_loss,d_real,d_fake", file: file, line: line)
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        XCTAssertTrue(rows.allSatisfy { $0.count == 6 }, "a row without 6 fields" + context, file: file, line: line)
        let steps = rows.map { Int($0[0]) ?? -1 }
        XCTAssertEqual(steps, (0 ..< steps.count).map { $0 + 1 },
                       "losses.csv steps are not 1…\(steps.count)" + context, file: file, line: line)
        return steps.last
    }

    /// Loads a checkpoint with `gantop sample`; the step it reports.
    static func loadableStep(_ checkpoint: URL, in root: URL, file: StaticString = #filePath, line: UInt = #line) throws -> Int? {
        let binary = try FullScreenEndToEndTests.gantopBinary().path
        let npy = root.appendingPathComponent("check-\(UUID().uuidString.prefix(6)).npy")
        let r = try ChildProcess.run(binary, ["sample", "--checkpoint", checkpoint.path, "--count", "1", "--out", npy.path],
                                     in: root, outputPrefix: root.appendingPathComponent("sample-\(UUID().uuidString.prefix(6))"))
        XCTAssertEqual(r.status, 0, "\(checkpoint.lastPathComponent) does not load: \(r.stderr)", file: file, line: line)
        guard let range = r.stdout.range(of: #"from step \d+"#, options: .regularExpression) else { return nil }
        return Int(r.stdout[range].dropFirst("from step ".count))
    }
}
