import Foundation
import XCTest

/// The issue-7 keys in the real binary, in tmux: the objective, optimizer and batch size change
/// live and land in events.csv; explain mode runs one phase per `n` and says what each did.
final class InteractiveEndToEndTests: TmuxTestCase {
    private typealias Harness = FullScreenEndToEndTests

    func testLiveSettingsAndExplainModeInTmux() throws {
        let out = try work().appendingPathComponent("out")
        let tmux = try startGantop(["--seed", "5", "--quality-every", "0", "--out", out.path]).session
        let status = { (s: [String]) in s.prefix(2).joined(separator: " ") }
        _ = try XCTUnwrap(tmux.poll(timeout: 30) { s in (Harness.step(in: s) ?? 0) >= 1 ? s : nil },
                          "training did not start" + tmux.diagnostics)
        tmux.send(["Space"])
        let paused = try XCTUnwrap(tmux.poll(timeout: 5) { s in s.first?.contains("PAUSED") == true ? Harness.step(in: s) : nil },
                                   "space did not pause" + tmux.diagnostics)

        // l, o, b: the settings line follows at once.
        tmux.send(["l"])
        tmux.send(["o"])
        tmux.send(["b"])
        _ = try XCTUnwrap(tmux.poll(timeout: 5) { s in
            let t = status(s)
            return t.contains("loss minimax") && t.contains("opt sgd") && t.contains("B 32") ? s : nil
        }, "l / o / b did not show loss minimax, opt sgd, B 32" + tmux.diagnostics)

        // e, then n three times: phases 1, 2, 3; the step moves only after phase 3.
        tmux.send(["e"])
        _ = try XCTUnwrap(tmux.poll(timeout: 5) { s in status(s).contains("explain mode") ? s : nil }, "e did nothing" + tmux.diagnostics)
        tmux.send(["n"])
        let one = try XCTUnwrap(tmux.poll(timeout: 5) { s in status(s).contains("(1) G turns") ? s : nil },
                                "phase 1 not explained" + tmux.diagnostics)
        XCTAssertEqual(Harness.step(in: one), paused)
        tmux.send(["n"])
        let two = try XCTUnwrap(tmux.poll(timeout: 5) { s in status(s).contains("(2) D is trained") ? s : nil },
                                "phase 2 not explained" + tmux.diagnostics)
        XCTAssertTrue(two.contains { $0.contains("D before") }, "the 1-D panel shows no D(x) before phase 2" + tmux.diagnostics)
        XCTAssertEqual(Harness.step(in: two), paused)
        tmux.send(["n"])
        let three = try XCTUnwrap(tmux.poll(timeout: 5) { s in status(s).contains("(3) G is trained") ? s : nil },
                                  "phase 3 not explained" + tmux.diagnostics)
        XCTAssertEqual(Harness.step(in: three), paused + 1, "phase 3 ends the step")
        XCTAssertTrue(three.contains { $0.contains("changed by phase 3") }, "the digits are not marked" + tmux.diagnostics)
        tmux.send(["e"])
        _ = try XCTUnwrap(tmux.poll(timeout: 5) { s in status(s).contains("explain mode off") ? s : nil }, tmux.diagnostics)

        XCTAssertEqual(tmux.quit(), "EXIT=0", "gantop did not quit cleanly" + tmux.diagnostics)
        let events = try String(contentsOf: out.appendingPathComponent("events.csv"), encoding: .utf8)
        for row in ["\(paused),loss,minimax", "\(paused),optimizer,sgd", "\(paused),batch_size,32"] {
            XCTAssertTrue(events.contains(row + "\n"), "events.csv lacks \(row):\n\(events)")
        }
    }
}
