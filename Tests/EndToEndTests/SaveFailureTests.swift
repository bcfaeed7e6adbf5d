import Foundation
import XCTest

/// A save that fails never ends in exit status 0: the final save, a `--save-every` one, the one
/// made on SIGTERM or SIGINT, `sample`'s and `classifier train`'s files, the UI's `w` and its save
/// on quit, and a `--record`ing. Each says in one line what failed; a failed periodic save lets
/// training go on, and the run's end lists every save that failed.
///
/// Tests run as root in CI, where a read-only directory stops nothing. What fails for root too: a
/// directory under /proc (the run directory cannot be created there; `--out` is only refused up
/// front when /proc is not writable, i.e. for other users, so those tests need root), a directory
/// where a checkpoint file goes, and /dev/full for a recording.
final class SaveFailureTests: TmuxTestCase {
    private static let forbidden = "/proc/forbidden"

    private static var quick: [String] {
        ["--data", mnistData, "--limit-images", "256", "--batch-size", "16", "--quality-every", "0", "--seed", "1"]
    }

    private func requireRoot() throws {
        try XCTSkipIf(geteuid() != 0, "not root: --out under /proc is refused before training, so no save can fail there")
    }

    /// `gantop arguments` to completion, from the scratch directory.
    private func run(_ arguments: [String], timeout: Double = 30) throws -> ChildProcess.Result {
        let root = try work()
        return try ChildProcess.run(try FullScreenEndToEndTests.gantopBinary().path, arguments, in: root,
                                    outputPrefix: root.appendingPathComponent("out-\(UUID().uuidString.prefix(8))"),
                                    timeout: timeout)
    }

    private func context(_ r: ChildProcess.Result) -> String {
        "\nstatus \(r.status)\nstderr:\n\(r.stderr)\nstdout tail:\n\(r.stdout.suffix(400))"
    }

    private func errorLines(_ r: ChildProcess.Result) -> [String] {
        r.stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// Not a crash, not a signal: a plain non-zero status.
    private func assertFailed(_ r: ChildProcess.Result, status: Int32 = 1, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(r.timedOut, "timed out" + context(r), file: file, line: line)
        XCTAssertFalse(r.signalled, "killed by a signal" + context(r), file: file, line: line)
        XCTAssertEqual(r.status, status, "exit status" + context(r), file: file, line: line)
        for marker in CommandLineTests.crashMarkers where r.stderr.contains(marker) {
            XCTFail("crash report (\(marker))" + context(r), file: file, line: line)
        }
    }

    // MARK: - Headless

    func testFailedFinalSaveExitsNonZero() throws {
        try requireRoot()
        let r = try run(["train", "--headless"] + Self.quick + ["--steps", "5", "--out", Self.forbidden])
        assertFailed(r)
        XCTAssertTrue(r.stdout.contains("done: step 5"), "training should run to the end" + context(r))
        let lines = errorLines(r)
        XCTAssertEqual(lines.count, 1, "one line" + context(r))
        XCTAssertTrue(lines.first?.hasPrefix("gantop: save failed at step 5: ") == true, context(r))
        XCTAssertTrue(lines.first?.contains(Self.forbidden) == true, "the line names the path" + context(r))
    }

    /// Every periodic save fails: training goes on to the end, each failure is said as it happens,
    /// and the last line lists them all.
    func testFailedPeriodicSavesAreListedAtTheEnd() throws {
        try requireRoot()
        let r = try run(["train", "--headless"] + Self.quick + ["--steps", "9", "--save-every", "2", "--out", Self.forbidden])
        assertFailed(r)
        XCTAssertTrue(r.stdout.contains("done: step 9"), "training goes on after a failed save" + context(r))
        let lines = errorLines(r)
        XCTAssertEqual(lines.dropLast().map { $0.prefix { $0 != ":" } == "gantop" && $0.contains("save failed at step") },
                       [true, true, true, true, true], context(r))
        XCTAssertEqual(lines.dropLast().compactMap { Self.step(after: "save failed at step ", in: $0) }, [2, 4, 6, 8, 9], context(r))
        let last = lines.last ?? ""
        XCTAssertTrue(last.hasPrefix("gantop: 5 of 5 saves failed (steps 2, 4, 6, 8, 9)"), context(r))
        XCTAssertTrue(last.contains(Self.forbidden) && last.hasSuffix("nothing was saved"), context(r))
    }

    /// One periodic save fails (a directory stands where its checkpoint goes), the others work:
    /// the run still ends non-zero, and its last line says which save failed and what is on disk.
    func testOneFailedPeriodicSaveAmongGoodOnes() throws {
        let out = try work().appendingPathComponent("partly")
        try FileManager.default.createDirectory(at: out.appendingPathComponent("checkpoint-step4.safetensors/blocker"),
                                                withIntermediateDirectories: true)
        let r = try run(["train", "--headless"] + Self.quick + ["--steps", "6", "--save-every", "2", "--out", out.path])
        assertFailed(r)
        let lines = errorLines(r)
        XCTAssertEqual(lines.count, 2, context(r))
        XCTAssertTrue(lines.first?.hasPrefix("gantop: save failed at step 4: ") == true, context(r))
        XCTAssertTrue(lines.first?.contains("checkpoint-step4.safetensors") == true, "names the file" + context(r))
        XCTAssertTrue(lines.last?.contains("the last good save is step 6 in \(out.path)/") == true, context(r))
        XCTAssertEqual(try SignalTests.loadableStep(out.appendingPathComponent("checkpoint-latest.safetensors"), in: try work()), 6)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("checkpoint-step2.safetensors").path))
    }

    func testFailedSaveOnSIGTERM() throws { try signalled(SIGTERM) }
    func testFailedSaveOnSIGINT() throws { try signalled(SIGINT) }

    /// The save made on the way out after a signal fails: status 1, not 128 + signal, which would
    /// read as a clean stop.
    private func signalled(_ signal: Int32, file: StaticString = #filePath, line: UInt = #line) throws {
        try requireRoot()
        let root = try work()
        let child = try ChildProcess.start(try FullScreenEndToEndTests.gantopBinary().path,
                                           ["train", "--headless"] + Self.quick
                                               + ["--steps", "1000000", "--log-every", "1", "--out", Self.forbidden],
                                           in: root, outputPrefix: root.appendingPathComponent("signal-\(signal)"))
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && SignalTests.lastLoggedStep(child.currentStdout) ?? 0 < 3 { usleep(20_000) }
        child.signal(signal)
        let r = child.wait(timeout: 15)
        assertFailed(r, file: file, line: line)
        let lines = errorLines(r)
        XCTAssertEqual(lines.count, 2, context(r), file: file, line: line)
        XCTAssertTrue(lines.first?.hasPrefix("gantop: save failed at step ") == true, context(r), file: file, line: line)
        XCTAssertTrue(lines.first?.contains(Self.forbidden) == true, context(r), file: file, line: line)
        XCTAssertTrue(lines.last?.hasPrefix("gantop: stopped by signal \(signal) at step ") == true, context(r), file: file, line: line)
    }

    /// No save asked for, none failed: a clean 0.
    func testNoSaveOnQuitIsNoFailure() throws {
        try requireRoot()
        let r = try run(["train", "--headless"] + Self.quick + ["--steps", "3", "--no-save-on-quit", "--out", Self.forbidden])
        XCTAssertEqual(r.status, 0, context(r))
        XCTAssertEqual(r.stderr, "", context(r))
    }

    /// `sample`'s three files and `classifier train`'s weights: a one-line error naming the file,
    /// status 1 when the write itself fails, 64 (usage) when the path is refused before any work.
    func testExportFailures() throws {
        let root = try work()
        let good = root.appendingPathComponent("good")
        let made = try run(["train", "--headless"] + Self.quick + ["--steps", "2", "--out", good.path])
        XCTAssertEqual(made.status, 0, context(made))
        let checkpoint = good.appendingPathComponent("checkpoint-latest.safetensors").path
        let npy = root.appendingPathComponent("digits.npy").path
        let blocker = root.appendingPathComponent("a-regular-file")
        try Data("x".utf8).write(to: blocker)
        let underFile = blocker.appendingPathComponent("x").path

        var cases: [(arguments: [String], names: String, status: Int32)] = [
            (["sample", "--checkpoint", checkpoint, "--out", underFile], "a-regular-file", 64),
            (["sample", "--checkpoint", checkpoint, "--out", npy, "--png", underFile], "--png", 64),
            (["sample", "--checkpoint", checkpoint, "--out", npy, "--latents-out", root.path], "--latents-out", 64),
            (["classifier", "train", "--data", Self.mnistData, "--limit-images", "256", "--epochs", "1", "--out", underFile],
             "a-regular-file", 64),
        ]
        if geteuid() == 0 {
            cases += [
                (["sample", "--checkpoint", checkpoint, "--out", "/proc/forbidden.npy"], "/proc/forbidden.npy", 1),
                (["sample", "--checkpoint", checkpoint, "--out", npy, "--png", "/proc/forbidden.png"], "/proc/forbidden.png", 1),
                (["sample", "--checkpoint", checkpoint, "--out", npy, "--latents-out", "/proc/forbidden-z.npy"], "/proc/forbidden-z.npy", 1),
                (["classifier", "train", "--data", Self.mnistData, "--limit-images", "256", "--epochs", "1",
                  "--out", "/proc/forbidden/classifier.safetensors"], "/proc/forbidden", 64),
                (["classifier", "train", "--data", Self.mnistData, "--limit-images", "256", "--epochs", "1",
                  "--out", "/proc/forbidden.safetensors"], "/proc/forbidden.safetensors", 1),
            ]
        }
        for c in cases {
            let r = try run(c.arguments)
            let command = "\ngantop " + c.arguments.joined(separator: " ")
            XCTAssertFalse(r.timedOut || r.signalled, "timed out or killed" + command + context(r))
            XCTAssertEqual(r.status, c.status, "exit status" + command + context(r))
            let first = errorLines(r).first ?? ""
            XCTAssertTrue(first.hasPrefix("Error: ") && first.contains(c.names), "the error names \(c.names)" + command + context(r))
            XCTAssertFalse(r.stdout.contains("wrote"), "reports success" + command + context(r))
        }
    }

    /// checkpoint-latest is the step's checkpoint under a second name: one file on disk, not two.
    func testLatestCheckpointIsAHardLink() throws {
        let out = try work().appendingPathComponent("linked")
        let r = try run(["train", "--headless"] + Self.quick + ["--steps", "4", "--save-every", "2", "--out", out.path])
        XCTAssertEqual(r.status, 0, context(r))
        func stat(_ name: String) throws -> (inode: Int, links: Int) {
            let a = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent(name).path)
            return ((a[.systemFileNumber] as? NSNumber)?.intValue ?? -1, (a[.referenceCount] as? NSNumber)?.intValue ?? -1)
        }
        XCTAssertEqual(try stat("checkpoint-latest.safetensors").inode, try stat("checkpoint-step4.safetensors").inode)
        XCTAssertEqual(try stat("checkpoint-latest.safetensors").links, 2)
        XCTAssertEqual(try stat("checkpoint-step2.safetensors").links, 1)
        XCTAssertEqual(try SignalTests.loadableStep(out.appendingPathComponent("checkpoint-latest.safetensors"), in: try work()), 4)
    }

    // MARK: - The full-screen UI

    /// gantop's UI in tmux, trained past step 3.
    private func startUI(_ arguments: [String]) throws -> TmuxSession {
        let session = try startGantop(Array(Self.quick.dropFirst(2)) + arguments, width: 120, height: 40).session
        XCTAssertNotNil(session.poll(timeout: 20) { s in (FullScreenEndToEndTests.step(in: s) ?? 0) > 3 ? s : nil },
                        "the UI did not start training" + session.diagnostics)
        return session
    }

    /// After the session: status 1, the terminal given back, and stderr's lines.
    private func assertExitedWithFailure(_ session: TmuxSession, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        let exit = session.poll(timeout: 15) { _ in session.exitStatus() }
        XCTAssertEqual(exit, "EXIT=1", "exit status" + session.diagnostics, file: file, line: line)
        XCTAssertEqual(session.altScreen(), "0", "still in the alternate screen" + session.diagnostics, file: file, line: line)
        return session.stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    func testUIQuitWithFailingSave() throws {
        try requireRoot()
        let session = try startUI(["--out", Self.forbidden])
        session.send(["q"])
        let lines = assertExitedWithFailure(session)
        XCTAssertEqual(lines.count, 1, session.diagnostics)
        XCTAssertTrue(lines.first?.hasPrefix("gantop: save failed at step ") == true, session.diagnostics)
        XCTAssertTrue(lines.first?.contains(Self.forbidden) == true, session.diagnostics)
    }

    /// `w` fails (the status bar says so and training goes on), then the save on quit: both listed.
    func testUISaveKeyFailureThenQuit() throws {
        try requireRoot()
        let session = try startUI(["--out", Self.forbidden])
        session.send(["Space"])
        XCTAssertNotNil(session.poll(timeout: 5) { s in s.first?.contains("PAUSED") == true ? s : nil }, session.diagnostics)
        session.send(["w"])
        XCTAssertNotNil(session.poll(timeout: 10) { s in s.prefix(2).joined().contains("save failed") ? s : nil },
                        "the status bar does not say the save failed" + session.diagnostics)
        session.send(["q"])
        let lines = assertExitedWithFailure(session)
        XCTAssertEqual(lines.count, 1, session.diagnostics)
        XCTAssertTrue(lines.first?.hasPrefix("gantop: 2 of 2 saves failed (steps ") == true, session.diagnostics)
        XCTAssertTrue(lines.first?.hasSuffix("nothing was saved") == true, session.diagnostics)
    }

    func testUIPeriodicSavesFailing() throws {
        try requireRoot()
        let session = try startUI(["--out", Self.forbidden, "--save-every", "2", "--no-save-on-quit"])
        session.send(["q"])
        let lines = assertExitedWithFailure(session)
        XCTAssertEqual(lines.count, 1, session.diagnostics)
        XCTAssertNotNil(lines.first?.range(of: #"^gantop: (\d+) of \1 saves failed \(steps 2, 4, "#, options: .regularExpression),
                        session.diagnostics)
    }

    func testUISIGTERMWithFailingSave() throws {
        try requireRoot()
        let session = try startUI(["--out", Self.forbidden])
        let pid = try XCTUnwrap(session.gantopPID(), session.diagnostics)
        kill(pid, SIGTERM)
        let lines = assertExitedWithFailure(session)
        XCTAssertEqual(lines.count, 1, session.diagnostics)
        XCTAssertTrue(lines.first?.hasPrefix("gantop: save failed at step ") == true, session.diagnostics)
    }

    /// A recording that cannot be written (the disk is full) is an export that failed.
    func testUIRecordingFailure() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/dev/full"), "no /dev/full")
        let out = try work().appendingPathComponent("ui-run")
        let session = try startUI(["--out", out.path, "--no-save-on-quit", "--record", "/dev/full"])
        session.send(["q"])
        let lines = assertExitedWithFailure(session)
        XCTAssertEqual(lines.count, 1, session.diagnostics)
        XCTAssertTrue(lines.first?.hasPrefix("gantop: recording failed: ") == true, session.diagnostics)
    }

    // MARK: - Helpers

    private static func step(after prefix: String, in line: String) -> Int? {
        guard let r = line.range(of: prefix) else { return nil }
        return Int(line[r.upperBound...].prefix { $0.isNumber })
    }
}
