import Foundation
import XCTest

/// The real `gantop` binary given bad input: every out-of-range value, unreadable or unwritable path
/// and broken checkpoint is a short error on stderr (one line, or argument-parser's "Error: …" line
/// followed by its usage hint), a non-zero exit, no crash, and no files left behind.
final class CommandLineTests: XCTestCase {
    private var scratch: URL?

    override func tearDown() {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
        super.tearDown()
    }

    private var binary: String { get throws { try FullScreenEndToEndTests.gantopBinary().path } }
    private static var data: String { FullScreenEndToEndTests.repositoryRoot.appendingPathComponent("assets/mnist").path }
    /// Small and quick: a few hundred images, small batches, no quality meter.
    private static var quick: [String] {
        ["--data", data, "--limit-images", "256", "--batch-size", "16", "--quality-every", "0", "--seed", "1"]
    }

    private func work() throws -> URL {
        if let scratch { return scratch }
        let url = try makeScratchDirectory("cli")
        scratch = url
        return url
    }

    /// Runs gantop in a fresh empty directory `cwd` (so a default `runs/…` would show up there).
    private func gantop(_ arguments: [String], timeout: Double = 20) throws -> (ChildProcess.Result, cwd: URL) {
        let root = try work()
        let cwd = root.appendingPathComponent("cwd-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: cwd, withIntermediateDirectories: true)
        let r = try ChildProcess.run(try binary, arguments, in: cwd,
                                     outputPrefix: root.appendingPathComponent("out-\(UUID().uuidString.prefix(8))"),
                                     timeout: timeout)
        return (r, cwd)
    }

    static let crashMarkers = ["Fatal error", "fatal error", "Backtrac", "crashed", "precondition", "Stack dump",
                               "Swift runtime failure", "Illegal instruction", "Segmentation"]

    /// The error contract: non-zero exit (not a signal), stderr's first line names the problem,
    /// at most argument-parser's usage hint after it, no crash report, quick.
    private func assertCleanError(_ arguments: [String], mentions: [String], leavesNothing paths: [URL] = [],
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        let (r, cwd) = try gantop(arguments)
        let command = "gantop " + arguments.map(shellQuoted).joined(separator: " ")
        let context = "\n\(command)\nstatus \(r.status)\nstderr:\n\(r.stderr)\nstdout:\n\(r.stdout.suffix(500))"
        XCTAssertFalse(r.timedOut, "timed out" + context, file: file, line: line)
        XCTAssertFalse(r.signalled, "killed by a signal" + context, file: file, line: line)
        XCTAssertNotEqual(r.status, 0, "must exit non-zero" + context, file: file, line: line)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        XCTAssertFalse(lines.isEmpty, "nothing on stderr" + context, file: file, line: line)
        if let first = lines.first {
            XCTAssertTrue(mentions.contains { first.contains($0) },
                          "the first stderr line should mention one of \(mentions)" + context, file: file, line: line)
        }
        if lines.count > 1 {
            XCTAssertTrue(lines[0].hasPrefix("Error:"), "several stderr lines, but not argument-parser's format" + context,
                          file: file, line: line)
            for extra in lines.dropFirst() {
                let isHint = extra.hasPrefix("Usage:") || extra.hasPrefix("Help:") || extra.hasPrefix(" ")
                XCTAssertTrue(isHint, "unexpected extra stderr line \(extra.debugDescription)" + context, file: file, line: line)
            }
        }
        for marker in Self.crashMarkers where r.stderr.contains(marker) {
            XCTFail("crash report (\(marker)) on stderr" + context, file: file, line: line)
        }
        XCTAssertLessThan(r.seconds, 5, "took \(r.seconds) s" + context, file: file, line: line)
        XCTAssertEqual(listing(cwd), [], "files left in the working directory" + context, file: file, line: line)
        for p in paths {
            XCTAssertFalse(FileManager.default.fileExists(atPath: p.path), "\(p.path) was created" + context, file: file, line: line)
        }
    }

    // MARK: - Out-of-range values

    func testOutOfRangeNumbers() throws {
        let train = ["train", "--headless"] + Self.quick + ["--steps", "3"]
        try assertCleanError(train + ["--batch-size", "0"], mentions: ["--batch-size"])
        try assertCleanError(train + ["--batch-size", "-5"], mentions: ["--batch-size", "-5"])
        try assertCleanError(train + ["--batch-size", "100000"], mentions: ["--batch-size"])
        try assertCleanError(["train", "--headless"] + Self.quick + ["--steps", "-1"], mentions: ["--steps", "-1"])
        try assertCleanError(["train", "--headless"] + Self.quick + ["--steps=-1"], mentions: ["--steps"])
        try assertCleanError(["train", "--headless"] + Self.quick + ["--steps", "0"], mentions: ["--steps"])
        try assertCleanError(["train", "--headless"] + Self.quick + ["--steps", "lots"], mentions: ["--steps", "lots"])
        try assertCleanError(["train", "--headless"] + Self.quick + ["--epochs", "0"], mentions: ["--epochs"])
        try assertCleanError(train + ["--lr-d", "nan"], mentions: ["--lr-d"])
        try assertCleanError(train + ["--lr-d", "inf"], mentions: ["--lr-d"])
        try assertCleanError(train + ["--lr-d", "0"], mentions: ["--lr-d"])
        try assertCleanError(train + ["--lr-g", "-1"], mentions: ["--lr-g", "-1"])
        try assertCleanError(train + ["--lr-g=-1"], mentions: ["--lr-g"])
        try assertCleanError(train + ["--d-steps", "11"], mentions: ["--d-steps"])
        try assertCleanError(train + ["--real-label", "0.3"], mentions: ["--real-label", "0.3"])
        try assertCleanError(train + ["--real-label", "nan"], mentions: ["--real-label"])
        try assertCleanError(train + ["--g-average", "1"], mentions: ["--g-average"])
        try assertCleanError(train + ["--g-average=-0.5"], mentions: ["--g-average", "-0.5"])
        try assertCleanError(train + ["--g-average-warmup", "1"], mentions: ["--g-average-warmup"])
        try assertCleanError(train + ["--d-dropout", "1"], mentions: ["--d-dropout"])
        try assertCleanError(train + ["--lr-anneal", "20000:10000:0.1"], mentions: ["--lr-anneal", "20000:10000:0.1"])
        try assertCleanError(train + ["--g-loss", "wasserstein"], mentions: ["--g-loss", "wasserstein"])
        try assertCleanError(train + ["--optimizer", "rmsprop"], mentions: ["--optimizer", "rmsprop"])
        try assertCleanError(train + ["--recipe", "fancy"], mentions: ["--recipe", "fancy"])
        try assertCleanError(train + ["--limit-images", "0"], mentions: ["--limit-images"])
        try assertCleanError(train + ["--save-every", "0"], mentions: ["--save-every"])
        try assertCleanError(train + ["--log-every", "0"], mentions: ["--log-every"])
        try assertCleanError(train + ["--quality-every=-1"], mentions: ["--quality-every"])
        try assertCleanError(train + ["--seed", "-3"], mentions: ["--seed"])
        try assertCleanError(train + ["--out", ""], mentions: ["--out"])
        try assertCleanError(train + ["--no-such-option"], mentions: ["--no-such-option"])
    }

    func testUnknownTargets() throws {
        try assertCleanError(["gan1d", "--target", "nope", "--steps", "10"], mentions: ["nope"])
        try assertCleanError(["train", "--headless", "--target", "nope"] + Self.quick + ["--steps", "3"], mentions: ["nope"])
        try assertCleanError(["gan1d", "--steps", "0"], mentions: ["--steps"])
    }

    func testOtherCommandsOutOfRange() throws {
        let out = try work().appendingPathComponent("never.npy")
        try assertCleanError(["sample", "--checkpoint", "/nonexistent.safetensors", "--count", "0", "--out", out.path],
                             mentions: ["--count"], leavesNothing: [out])
        try assertCleanError(["sample", "--checkpoint", "/nonexistent.safetensors", "--count", "-4", "--out", out.path],
                             mentions: ["--count", "-4"], leavesNothing: [out])
        try assertCleanError(["sample", "--checkpoint", "/nonexistent.safetensors", "--out", out.path],
                             mentions: ["/nonexistent.safetensors"], leavesNothing: [out])
        try assertCleanError(["bench", "--seconds", "0"], mentions: ["--seconds"])
        try assertCleanError(["bench", "--seconds", "nan"], mentions: ["--seconds"])
        try assertCleanError(["bench", "--seconds", "1", "--batch-sizes", "0"], mentions: ["batch"])
    }

    // MARK: - Paths

    func testMissingDataDirectory() throws {
        try assertCleanError(["train", "--headless", "--data", "/nonexistent", "--steps", "3"], mentions: ["/nonexistent"])
        let notMNIST = try work().appendingPathComponent("empty-data")
        try FileManager.default.createDirectory(at: notMNIST, withIntermediateDirectories: true)
        try Data("not gzip".utf8).write(to: notMNIST.appendingPathComponent("train-images-idx3-ubyte.gz"))
        try Data("not gzip".utf8).write(to: notMNIST.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        try assertCleanError(["train", "--headless", "--data", notMNIST.path, "--steps", "3"], mentions: ["train-images", "gzip"])
    }

    /// A run directory whose parent is a regular file cannot be created (root ignores permissions,
    /// so this is the portable "unwritable"): an error before training, not a run that saves nothing.
    func testUnwritableOutputDirectory() throws {
        let blocker = try work().appendingPathComponent("a-regular-file")
        try Data("x".utf8).write(to: blocker)
        let out = blocker.appendingPathComponent("run")
        try assertCleanError(["train", "--headless"] + Self.quick + ["--steps", "3", "--out", out.path],
                             mentions: ["a-regular-file", "--out"])
        try assertCleanError(["train", "--headless"] + Self.quick + ["--steps", "3", "--out", "/etc/hostname/x"],
                             mentions: ["/etc/hostname", "--out"])
        let npy = blocker.appendingPathComponent("digits.npy")
        let checkpoint = try makeCheckpoint()
        try assertCleanError(["sample", "--checkpoint", checkpoint.path, "--count", "1", "--out", npy.path],
                             mentions: ["a-regular-file", "digits.npy"])
    }

    /// `--record`: a directory, a missing or blocked parent, an empty path, or a headless run are
    /// errors before anything starts, and no recording file is left behind.
    func testBadRecordingPaths() throws {
        let root = try work()
        let ui = ["train"] + Self.quick + ["--steps", "3"]
        try assertCleanError(ui + ["--record", root.path], mentions: ["--record"])
        let missing = root.appendingPathComponent("no-such-dir/session.cast")
        try assertCleanError(ui + ["--record", missing.path], mentions: ["no-such-dir"], leavesNothing: [missing])
        let blocker = root.appendingPathComponent("a-regular-file")
        try Data("x".utf8).write(to: blocker)
        try assertCleanError(ui + ["--record", blocker.appendingPathComponent("session.cast").path], mentions: ["a-regular-file"])
        try assertCleanError(ui + ["--record", ""], mentions: ["--record"])
        let cast = root.appendingPathComponent("session.cast")
        try assertCleanError(["train", "--headless"] + Self.quick + ["--steps", "3", "--record", cast.path],
                             mentions: ["--headless"], leavesNothing: [cast])
        // A good path without a terminal: the usual "needs a terminal" error, and still no file.
        try assertCleanError(ui + ["--record", cast.path], mentions: ["--headless"], leavesNothing: [cast])
    }

    func testResumeFromBadFiles() throws {
        let root = try work()
        let missing = root.appendingPathComponent("missing.safetensors")
        let train = ["train", "--headless"] + Self.quick + ["--steps", "5"]
        try assertCleanError(train + ["--resume", missing.path], mentions: ["missing.safetensors"])

        let good = try makeCheckpoint()
        let bytes = try Data(contentsOf: good)
        let truncated = root.appendingPathComponent("truncated.safetensors")
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        try assertCleanError(train + ["--resume", truncated.path], mentions: ["truncated.safetensors"])
        let headerOnly = root.appendingPathComponent("header-only.safetensors")
        try bytes.prefix(6).write(to: headerOnly)
        try assertCleanError(train + ["--resume", headerOnly.path], mentions: ["header-only.safetensors"])

        let text = root.appendingPathComponent("notes.safetensors")
        try Data("this is not a checkpoint\n".utf8).write(to: text)
        try assertCleanError(train + ["--resume", text.path], mentions: ["notes.safetensors"])
        let png = root.appendingPathComponent("picture.png")
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 64)).write(to: png)
        try assertCleanError(train + ["--resume", png.path], mentions: ["picture.png"])
        try assertCleanError(train + ["--resume", root.path], mentions: [root.lastPathComponent])
        try assertCleanError(["sample", "--checkpoint", truncated.path, "--count", "1", "--out", root.appendingPathComponent("x.npy").path],
                             mentions: ["truncated.safetensors"], leavesNothing: [root.appendingPathComponent("x.npy")])
    }

    // MARK: - Divergence

    /// An absurd learning rate: the run must stop with a divergence message naming the step, exit
    /// non-zero, and every checkpoint it left must load (nothing saved holds NaN or Inf).
    func testAbsurdLearningRateDiverges() throws {
        let root = try work()
        let out = root.appendingPathComponent("diverged")
        let (r, _) = try gantop(["train", "--headless"] + Self.quick
                                + ["--lr-d", "1e6", "--lr-g", "1e6", "--steps", "8", "--save-every", "1", "--out", out.path],
                                timeout: 60)
        let context = "\nstatus \(r.status)\nstderr:\n\(r.stderr)\nstdout:\n\(r.stdout.suffix(800))"
        XCTAssertFalse(r.timedOut || r.signalled, "timed out or crashed" + context)
        XCTAssertNotEqual(r.status, 0, "a diverged run must exit non-zero" + context)
        XCTAssertTrue(r.stderr.lowercased().contains("diverge"), "stderr should say the run diverged" + context)
        XCTAssertNotNil(r.stderr.range(of: #"step \d+"#, options: .regularExpression), "stderr should name the step" + context)
        for marker in Self.crashMarkers where r.stderr.contains(marker) { XCTFail("crash report (\(marker))" + context) }
        let checkpoints = listing(out).filter { $0.hasSuffix(".safetensors") }
        var unloadable: [String] = [], firstError = ""
        for name in checkpoints {
            let npy = root.appendingPathComponent("sample-\(name).npy")
            let (s, _) = try gantop(["sample", "--checkpoint", out.appendingPathComponent(name).path, "--count", "1", "--out", npy.path])
            if s.status != 0 {
                unloadable.append(name)
                if firstError.isEmpty { firstError = s.stderr }
            }
        }
        XCTAssertEqual(unloadable, [], "\(unloadable.count) of \(checkpoints.count) saved checkpoints do not load; the first says: \(firstError)")
    }

    // MARK: - Fréchet distance at save time

    /// Each save measures the Fréchet distance to the test set: in the JSON line, the checkpoint's
    /// metadata and events.csv. Without the quality meter there is none, and nothing breaks.
    func testSavesCarryTheFrechetDistance() throws {
        let out = try work().appendingPathComponent("fd-run")
        let (r, _) = try gantop(["train", "--headless", "--json"] + Self.quick
                                + ["--steps", "4", "--save-every", "2", "--quality-every", "2", "--out", out.path], timeout: 60)
        XCTAssertEqual(r.status, 0, r.stderr)
        let saves = r.stdout.split(separator: "\n").filter { $0.contains("\"event\":\"saved\"") }
        XCTAssertEqual(saves.count, 2, r.stdout)
        var distances: [Double] = []
        for line in saves {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
            let fd = try XCTUnwrap(object["frechet_distance"] as? Double, "no frechet_distance in \(line)")
            XCTAssertTrue(fd.isFinite && fd > 0, "\(fd)")
            distances.append(fd)
        }
        let events = try String(contentsOf: out.appendingPathComponent("events.csv"), encoding: .utf8)
        XCTAssertEqual(events, "step,event,value\n" + zip([2, 4], distances).map { "\($0),frechet_distance,\(String(format: "%.2f", $1))\n" }.joined())
        let header = try Data(contentsOf: out.appendingPathComponent("checkpoint-step4.safetensors"))
        XCTAssertTrue(String(decoding: header.prefix(4096), as: UTF8.self).contains("\"frechet_distance\""))

        let plain = try work().appendingPathComponent("no-meter")
        let (q, _) = try gantop(["train", "--headless", "--json"] + Self.quick + ["--steps", "2", "--quality-every", "0", "--out", plain.path])
        XCTAssertEqual(q.status, 0, q.stderr)
        XCTAssertFalse(q.stdout.contains("frechet"), q.stdout)
    }

    // MARK: - Helpers

    /// A real checkpoint from a 2-step run (in the scratch directory).
    private func makeCheckpoint() throws -> URL {
        let out = try work().appendingPathComponent("good-run")
        let latest = out.appendingPathComponent("checkpoint-latest.safetensors")
        if FileManager.default.fileExists(atPath: latest.path) { return latest }
        let (r, _) = try gantop(["train", "--headless"] + Self.quick + ["--steps", "2", "--out", out.path])
        XCTAssertEqual(r.status, 0, "making a checkpoint failed: \(r.stderr)")
        guard FileManager.default.fileExists(atPath: latest.path) else {
            throw XCTSkip("could not make a checkpoint: \(r.stderr)")
        }
        return latest
    }
}
