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

        // d changes only D's weights, g only G's: checkpoints saved with w around each, compared.
        let latest = out.appendingPathComponent("checkpoint-latest.safetensors")
        func saveAndCopy(_ name: String, differingFrom previous: Data?) throws -> Data {
            tmux.send(["w"])
            let bytes = try XCTUnwrap(tmux.poll(timeout: 10) { _ -> Data? in
                guard let d = try? Data(contentsOf: latest), d != previous else { return nil }
                return d
            }, "w wrote no new checkpoint (\(name))" + tmux.diagnostics)
            return bytes
        }
        let before = try saveAndCopy("before", differingFrom: nil)
        tmux.send(["d"])
        _ = try XCTUnwrap(tmux.poll(timeout: 5) { s in status(s).contains("D alone") ? s : nil }, "d did nothing" + tmux.diagnostics)
        let afterD = try saveAndCopy("after d", differingFrom: before)
        tmux.send(["g"])
        _ = try XCTUnwrap(tmux.poll(timeout: 5) { s in status(s).contains("G alone") ? s : nil }, "g did nothing" + tmux.diagnostics)
        let afterG = try saveAndCopy("after g", differingFrom: afterD)
        XCTAssertEqual(try Self.changedNetworks(before, afterD), ["d"], "d must change D's weights and only D's")
        XCTAssertEqual(try Self.changedNetworks(afterD, afterG), ["g"], "g must change G's weights and only G's")

        // l, o, b: the settings line follows at once.
        tmux.send(["l"])
        tmux.send(["o"])
        tmux.send(["b"])
        _ = try XCTUnwrap(tmux.poll(timeout: 5) { s in
            let t = status(s)
            return t.contains("loss minimax") && t.contains("opt sgd") && t.contains("B 64") ? s : nil
        }, "l / o / b did not show loss minimax, opt sgd, B 64 (the default is 128)" + tmux.diagnostics)

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
        for row in ["\(paused),loss,minimax", "\(paused),optimizer,sgd", "\(paused),batch_size,64"] {
            XCTAssertTrue(events.contains(row + "\n"), "events.csv lacks \(row):\n\(events)")
        }
    }

    /// Which networks' weights ("g", "d") differ between two checkpoints, reading the safetensors
    /// header by hand (8-byte length, JSON, raw little-endian data).
    static func changedNetworks(_ a: Data, _ b: Data) throws -> [String] {
        func tensors(_ file: Data) throws -> [String: Data] {
            let length = file.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            let header = try XCTUnwrap(JSONSerialization.jsonObject(with: file.subdata(in: 8 ..< 8 + length)) as? [String: Any])
            var out: [String: Data] = [:]
            for (name, info) in header {
                guard let info = info as? [String: Any], let offsets = info["data_offsets"] as? [Int] else { continue }
                out[name] = file.subdata(in: 8 + length + offsets[0] ..< 8 + length + offsets[1])
            }
            return out
        }
        let (x, y) = (try tensors(a), try tensors(b))
        let weights = x.keys.filter { $0.hasPrefix("g.fc") || $0.hasPrefix("d.fc") }
        XCTAssertEqual(weights.count, 14, "expected G's 8 and D's 6 weight and bias tensors")
        return Set(weights.filter { x[$0] != y[$0] }.map { String($0.prefix(1)) }).sorted()
    }
}
