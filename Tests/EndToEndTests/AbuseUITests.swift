import Foundation
import XCTest

/// A short run of `scripts/abuse-ui`: 500 random keys and resizes through tmux while training;
/// the process survives, the step counter is monotonic, PAUSED means no steps, `q` exits 0.
/// (The full 10,000-key run is the script itself: `scripts/abuse-ui`.)
final class AbuseUITests: XCTestCase {
    func testFiveHundredRandomKeysAndResizes() throws {
        _ = try FullScreenEndToEndTests.findExecutable("tmux")
        let binary = try FullScreenEndToEndTests.gantopBinary()
        let script = FullScreenEndToEndTests.repositoryRoot.appendingPathComponent("scripts/abuse-ui")
        guard FileManager.default.isExecutableFile(atPath: script.path) else { throw XCTSkip("no \(script.path)") }
        let started = Date()
        let r = FullScreenEndToEndTests.run("/usr/bin/env", ["GANTOP_BINARY=\(binary.path)", "SEED=7", "bash", script.path, "500"])
        let seconds = Date().timeIntervalSince(started)
        XCTAssertEqual(r.status, 0, "scripts/abuse-ui 500 failed after \(seconds) s:\n\(r.output)")
        XCTAssertTrue(r.output.contains("abuse-ui: OK"), r.output)
        print("abuse-ui 500: \(String(format: "%.1f", seconds)) s; \(r.output.split(separator: "\n").last ?? "")")
    }
}
