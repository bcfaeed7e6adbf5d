import Foundation
import XCTest

/// `gantop --model dcgan` in the real binary, in tmux, as a user drives it: the status bar names
/// the model, every panel draws, and every key of the trainer acts on the DCGAN (pause, lone D/G
/// updates, learning rates, k, objective/optimizer/batch, explain mode's phases, history, save, quit).
final class DCGANFullScreenEndToEndTests: TmuxTestCase {
    private typealias Harness = FullScreenEndToEndTests

    func testEveryPanelAndKeyWorkForTheDCGAN() throws {
        let out = try work().appendingPathComponent("out")
        let tmux = try startGantop(["--model", "dcgan", "--seed", "5", "--batch-size", "16", "--limit-images", "2000",
                                    "--quality-every", "20", "--out", out.path]).session
        let status = { (s: [String]) in s.prefix(2).joined(separator: " ") }

        // Past step 60: the history holds the frames of steps 0 and 50, the meter has read.
        let running = try XCTUnwrap(tmux.poll(timeout: 120) { s in (Harness.step(in: s) ?? 0) >= 60 ? s : nil },
                                    "training did not reach step 60" + tmux.diagnostics)
        XCTAssertTrue(status(running).contains("model dcgan"), "the status bar does not name the model" + tmux.diagnostics)
        for title in ["Losses", "Samples G(z)", "1-D GAN", "MNIST score"] {
            XCTAssertTrue(running.contains { $0.contains(title) }, "no \(title) panel" + tmux.diagnostics)
        }

        tmux.send(["Space"])
        let paused = try XCTUnwrap(tmux.poll(timeout: 10) { s in s.first?.contains("PAUSED") == true ? Harness.step(in: s) : nil },
                                   "space did not pause" + tmux.diagnostics)

        // d changes only D's tensors, g only G's (checkpoints saved with w around each).
        let latest = out.appendingPathComponent("checkpoint-latest.safetensors")
        func save(_ name: String, differingFrom previous: Data?) throws -> Data {
            tmux.send(["w"])
            // A save measures the Fréchet distance on 10,000 DCGAN samples: seconds, more on a loaded machine.
            return try XCTUnwrap(tmux.poll(timeout: 90) { _ -> Data? in
                guard let d = try? Data(contentsOf: latest), d != previous else { return nil }
                return d
            }, "w wrote no new checkpoint (\(name))" + tmux.diagnostics)
        }
        let before = try save("before", differingFrom: nil)
        tmux.send(["d"])
        _ = try XCTUnwrap(tmux.poll(timeout: 10) { s in status(s).contains("D alone") ? s : nil }, "d did nothing" + tmux.diagnostics)
        let afterD = try save("after d", differingFrom: before)
        tmux.send(["g"])
        _ = try XCTUnwrap(tmux.poll(timeout: 10) { s in status(s).contains("G alone") ? s : nil }, "g did nothing" + tmux.diagnostics)
        let afterG = try save("after g", differingFrom: afterD)
        XCTAssertEqual(try Self.changedNetworks(before, afterD), ["D", "Q"], "d must change D's and Q's weights and only theirs")
        XCTAssertEqual(try Self.changedNetworks(afterD, afterG), ["G"], "g must change G's weights and only G's")

        // 1 halves D's rate, 4 doubles G's (the tuned 4e-4); K one more D step; l, o, B.
        for key in ["1", "4", "K", "l", "o", "B"] { tmux.send([key]) }
        _ = try XCTUnwrap(tmux.poll(timeout: 10) { s in
            let t = status(s)
            return t.contains("lr_D 1e-4") && t.contains("lr_G 8e-4") && t.contains("D:G 2:1") && t.contains("loss minimax")
                && t.contains("opt sgd") && t.contains("B 32") ? s : nil
        }, "1 4 K l o B did not show lr_D 1e-4, lr_G 8e-4, D:G 2:1, loss minimax, opt sgd, B 32" + tmux.diagnostics)
        for key in ["k", "o"] { tmux.send([key]) }
        _ = try XCTUnwrap(tmux.poll(timeout: 10) { s in status(s).contains("D:G 1:1") && status(s).contains("opt adam") ? s : nil },
                          "k / o did not go back" + tmux.diagnostics)

        // Explain mode: n runs phase 1, 2, 3; the step moves after phase 3 only.
        tmux.send(["e"])
        _ = try XCTUnwrap(tmux.poll(timeout: 10) { s in status(s).contains("explain mode") ? s : nil }, "e did nothing" + tmux.diagnostics)
        for (phase, text) in [(1, "(1) G turns"), (2, "(2) D is trained"), (3, "(3) G is trained through D")] {
            tmux.send(["n"])
            let s = try XCTUnwrap(tmux.poll(timeout: 10) { s in status(s).contains(text) ? s : nil },
                                  "phase \(phase) not explained" + tmux.diagnostics)
            XCTAssertEqual(Harness.step(in: s), phase == 3 ? paused + 1 : paused)
        }
        tmux.send(["e"])
        _ = try XCTUnwrap(tmux.poll(timeout: 10) { s in status(s).contains("explain mode off") ? s : nil }, tmux.diagnostics)

        // [ shows an older frame of the digits, End returns to live.
        tmux.send(["["])
        _ = try XCTUnwrap(tmux.poll(timeout: 10) { s in status(s).contains("viewing step") ? s : nil },
                          "[ did not show an older step" + tmux.diagnostics)
        tmux.send(["End"])
        _ = try XCTUnwrap(tmux.poll(timeout: 10) { s in !status(s).contains("viewing step") ? s : nil },
                          "End did not return to live" + tmux.diagnostics)

        XCTAssertEqual(tmux.quit(), "EXIT=0", "gantop did not quit cleanly" + tmux.diagnostics)
        let events = try String(contentsOf: out.appendingPathComponent("events.csv"), encoding: .utf8)
        for row in ["\(paused),d_update,", "\(paused),g_update,", "\(paused),lr_d,0.0001", "\(paused),d_steps,2",
                    "\(paused),loss,minimax", "\(paused),batch_size,32"] {
            XCTAssertTrue(events.contains(row), "events.csv lacks \(row):\n\(events)")
        }
    }

    /// Which networks' tensors ("G", "D", "Q") differ between two DCGAN checkpoints (the header read by hand).
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
        let weights = x.keys.filter { ["G.", "D.", "Q."].contains($0.prefix(2)) && $0.hasSuffix(".weight") }
        // The default (tuned) DCGAN: the spec's 5 and 4 plus InfoGAN's Linear and BatchNorm1d on each
        // side, and the code's head Q (Linear, BatchNorm1d, Linear).
        XCTAssertEqual(weights.count, 16, "expected G's 7, D's 6 and Q's 3 weight tensors: \(weights.sorted())")
        return Set(weights.filter { x[$0] != y[$0] }.map { String($0.prefix(1)) }).sorted()
    }
}
