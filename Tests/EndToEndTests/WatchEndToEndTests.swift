import Foundation
import XCTest

/// `gantop watch` in tmux on a gantop run directory that a headless `gantop train` is writing:
/// started before the run exists, it waits, then follows the run live, shows its sample grids,
/// scrubs through them, puts a scalar on the chart from the picker, and says when it went silent.
final class WatchEndToEndTests: TmuxTestCase {
    private typealias Harness = FullScreenEndToEndTests

    func testWatchesAHeadlessRunFromAnotherTerminal() throws {
        let binary = try Harness.gantopBinary().path
        let runs = try work().appendingPathComponent("runs")
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        let watch = try startSession([binary, "watch", runs.path], root: try work(), width: 160, height: 50)
        func poll<T>(_ what: String, timeout: Double = 30, _ check: ([String]) -> T?) throws -> T {
            try XCTUnwrap(watch.poll(timeout: timeout, check), what + watch.diagnostics)
        }
        func screenHas(_ texts: String...) -> ([String]) -> [String]? {
            { s in texts.allSatisfy { t in s.contains { $0.contains(t) } } ? s : nil }
        }

        // 1. Nothing there yet: it waits and says what for.
        _ = try poll("no WAITING screen", timeout: 20, screenHas("WAITING", "no runs under \(runs.path) yet"))

        // 2. A headless run starts writing into runs/mine: the watcher follows it.
        let trainer = try ChildProcess.start(binary, ["train", "--headless", "--steps", "400", "--save-every", "100",
                                                      "--quality-every", "0", "--seed", "5", "--data", Self.mnistData,
                                                      "--out", runs.appendingPathComponent("mine").path],
                                             in: try work(), outputPrefix: try work().appendingPathComponent("train"))
        // Any grid: on a quiet machine the 400 steps can all be written before the first look.
        var screen = try poll("the run never showed LIVE with its loss tags", timeout: 90,
                              screenHas("LIVE", "run mine", "━ D d_loss  ━ G g_loss", "samples · step "))
        XCTAssertTrue(screen[0].contains("from gantop run"), screen[0])
        let firstStep = try XCTUnwrap(Harness.step(in: screen), "no step on the status bar" + watch.diagnostics)
        let result = trainer.wait(timeout: 180)
        XCTAssertEqual(result.status, 0, "the headless run failed: \(result.stderr)")

        // 3. All of it arrives: step 400, four grids, the newest shown, in half blocks.
        screen = try poll("the last step and grid never showed", screenHas("step 400 ", "samples · step 400 · 4/4"))
        XCTAssertLessThanOrEqual(firstStep, 400)
        XCTAssertTrue(screen.contains { $0.contains("122×122 half-block") }, "the grid is drawn in half blocks" + watch.diagnostics)
        let halfBlockCells = screen.joined().unicodeScalars.filter { $0 == "▀" }.count
        XCTAssertGreaterThan(halfBlockCells, 1000, "the image panel is full of half blocks" + watch.diagnostics)

        // 4. [ goes back one grid, ] returns to the newest.
        watch.send(["["])
        _ = try poll("[ did not show the step-300 grid", timeout: 5, screenHas("samples · step 300 · 3/4 (history)"))
        watch.send(["]"])
        screen = try poll("] did not return to the newest grid", timeout: 5, screenHas("samples · step 400 · 4/4"))
        XCTAssertFalse(screen.joined().contains("(history)"), watch.diagnostics)

        // 4b. z magnifies the grid 2×; z z back to the whole.
        watch.send(["z"])
        _ = try poll("z did not zoom", timeout: 5, screenHas("samples · step 400 · 4/4 · zoom 2×", "61×61 half-block"))
        watch.send(["z"])
        watch.send(["z"])
        _ = try poll("z z did not return to the whole grid", timeout: 5, screenHas("samples · step 400 · 4/4 ─", "122×122 half-block"))

        // 5. The picker: p, then Enter on the first row (epoch) puts it on the chart.
        watch.send(["p"])
        _ = try poll("p did not open the picker", timeout: 5, screenHas("Scalars · ↑↓ Enter"))
        watch.send(["Enter"])
        _ = try poll("Enter did not put epoch on the chart", timeout: 5, screenHas("━ D d_loss  ━ G g_loss  ━ epoch"))
        watch.send(["p"])

        // 6. Help, and quit with a restored terminal.
        watch.send(["?"])
        _ = try poll("no help box", timeout: 5, screenHas("overlay every run's loss curves"))
        watch.send(["Escape"])
        XCTAssertEqual(watch.quit(), "EXIT=0", "gantop watch did not exit with 0 on q" + watch.diagnostics)
        let restored = watch.poll(timeout: 15) { _ in watch.altScreen() == "0" ? true : nil }   // tmux lags on a loaded machine
        XCTAssertNotNil(restored, "the terminal was left in the alternate screen")

        // 7. The finished run, watched again with a short silence threshold: SILENT with its age.
        let again = try startSession([binary, "watch", runs.appendingPathComponent("mine").path, "--silent-after", "1", "--no-color"],
                                     root: try work(), width: 120, height: 40)
        let silent = again.poll(timeout: 20) { s in
            s[0].contains("SILENT") && s[0].contains("last event") && s[1].contains("no new events for") ? s : nil
        }
        XCTAssertNotNil(silent, "a finished run did not read SILENT" + again.diagnostics)
        XCTAssertTrue(again.capture().contains { $0.contains("122×122 ascii") }, "--no-color draws ASCII" + again.diagnostics)
        // SIGTERM (a closed SSH session sends SIGHUP the same way): a clean exit, terminal restored.
        let pid = try XCTUnwrap(again.gantopPID(), "no pid recorded" + again.diagnostics)
        kill(pid, SIGTERM)
        XCTAssertEqual(again.poll(timeout: 10) { _ in again.exitStatus() }, "EXIT=143", "SIGTERM: 128 + 15" + again.diagnostics)
        XCTAssertNotNil(again.poll(timeout: 15) { _ in again.altScreen() == "0" ? true : nil }, "left in the alternate screen")
    }

    func testBadDirectoriesAreOneLineErrors() throws {
        let binary = try Harness.gantopBinary().path
        let file = try work().appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        for (path, expected) in [("/nonexistent/gantop-runs", "no such directory"), (file.path, "not a directory")] {
            let result = try ChildProcess.run(binary, ["watch", path], in: try work(),
                                              outputPrefix: try work().appendingPathComponent("err"))
            XCTAssertNotEqual(result.status, 0, "gantop watch \(path) must fail")
            let lines = result.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "one line: \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(expected), result.stderr)
        }
    }
}

final class WatchFrameTimingTests: XCTestCase {
    /// `--time-frames` draws off screen (no terminal needed) and reports a time per frame.
    func testTimeFramesReportsATimePerFrameForTheFirstRun() throws {
        let binary = try FullScreenEndToEndTests.gantopBinary().path
        let fixtures = FullScreenEndToEndTests.repositoryRoot.appendingPathComponent("Tests/Fixtures/tensorboard-logdir").path
        let r = FullScreenEndToEndTests.run(binary, ["watch", fixtures, "--time-frames", "3"])
        XCTAssertEqual(r.status, 0, r.output)
        let lines = r.output.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, r.output)
        XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("keras/train: 10 points, image none, smoothing ") && $0.hasSuffix(" ms per 160×50 frame (3 frames)") },
                      r.output)
        XCTAssertNotEqual(FullScreenEndToEndTests.run(binary, ["watch", fixtures, "--time-frames", "0"]).status, 0)
    }
}
