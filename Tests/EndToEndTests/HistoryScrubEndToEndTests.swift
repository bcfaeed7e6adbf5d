import Foundation
import XCTest

/// History scrubbing in the real binary, in tmux like `FullScreenEndToEndTests` (whose helpers
/// it shares): `[` shows an older step while training goes on, Home the first, End live again.
final class HistoryScrubEndToEndTests: TmuxTestCase {
    private typealias Harness = FullScreenEndToEndTests

    func testScrubbingShowsAnOlderStepAndEndReturnsToLive() throws {
        let out = try work().appendingPathComponent("out")
        let tmux = try startGantop(["--seed", "7", "--no-save-on-quit", "--out", out.path]).session
        let screenText = { tmux.diagnostics }
        let sendKeys = { (key: String) in tmux.send([key]) }
        let capture = { tmux.capture() }
        func poll<T>(timeout: Double, _ check: ([String]) -> T?) -> T? { tmux.poll(timeout: timeout, check) }

        // Past step 60 the history holds frames at steps 0 and 50.
        _ = try XCTUnwrap(poll(timeout: 60) { s in (Harness.step(in: s) ?? 0) >= 60 ? s : nil },
                          "training did not reach step 60 within 60 s" + screenText())

        // [ → an older step in the status bar and both panel titles; training goes on behind it.
        sendKeys("[")
        let back = try XCTUnwrap(poll(timeout: 5) { Self.viewing(in: $0) }, "[ did not show an older step" + screenText())
        XCTAssertEqual(Harness.step(in: capture()).map { $0 >= back.live }, true, "the first step on the bar stays the live one")
        XCTAssertLessThan(back.shown, back.live, "the step shown must be older than the live one")
        XCTAssertEqual(back.shown % 50, 0, "history frames are every 50 steps: \(back.shown)")
        let titled = try XCTUnwrap(poll(timeout: 5) { s in
            s.filter { $0.contains("step \(Self.grouped(back.shown)) (history)") }.count >= 2 ? s : nil
        }, "the digit and 1-D panel titles do not both say step \(back.shown) (history)" + screenText())
        XCTAssertNotNil(Harness.locate("Samples G(z) · step \(Self.grouped(back.shown)) (history)", in: titled), screenText())
        _ = try XCTUnwrap(poll(timeout: 10) { s in
            Self.viewing(in: s).flatMap { $0.shown == back.shown && $0.live > back.live ? $0 : nil }
        }, "the live step did not advance behind the scrubbed view" + screenText())

        // Home → the first frame (step 0).
        sendKeys("Home")
        _ = try XCTUnwrap(poll(timeout: 5) { s in Self.viewing(in: s).flatMap { $0.shown == 0 ? $0 : nil } },
                          "Home did not show step 0" + screenText())

        // End → live: no "viewing", no "(history)", and no stray keys from End's escape sequence.
        sendKeys("End")
        let live = try XCTUnwrap(poll(timeout: 5) { s in
            Self.viewing(in: s) == nil && !s.joined().contains("(history)") ? Harness.step(in: s) : nil
        }, "End did not return to live" + screenText())
        XCTAssertGreaterThan(live, back.live)
        let status = capture().prefix(2).joined(separator: " ")
        XCTAssertTrue(status.contains("lr_D 2e-4") && status.contains("lr_G 2e-4") && status.contains("RUNNING"),
                      "Home/End leaked other keys (a digit changes a learning rate): \(status)")

        XCTAssertEqual(tmux.quit(), "EXIT=0", "gantop did not quit cleanly" + screenText())
    }

    // MARK: - Helpers

    /// "live step 5,340  viewing step 1,200" from the status bar's two rows.
    static func viewing(in screen: [String]) -> (shown: Int, live: Int)? {
        let status = screen.prefix(2).joined(separator: " ")
        guard let l = status.range(of: "live step "), let v = status.range(of: "viewing step ") else { return nil }
        func number(after index: String.Index) -> Int? {
            Int(status[index...].prefix { $0.isNumber || $0 == "," }.filter(\.isNumber))
        }
        guard let shown = number(after: v.upperBound), let live = number(after: l.upperBound) else { return nil }
        return (shown, live)
    }

    /// 1200 → "1,200", as the status bar writes steps.
    static func grouped(_ n: Int) -> String {
        var digits = String(n), out = ""
        while digits.count > 3 {
            out = "," + digits.suffix(3) + out
            digits.removeLast(3)
        }
        return digits + out
    }
}
