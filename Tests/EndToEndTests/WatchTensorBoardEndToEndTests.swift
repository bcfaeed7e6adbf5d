import Foundation
import XCTest

/// `gantop watch` on event files written while it runs by the real `tensorboard` package (the
/// writer torch.utils.tensorboard.SummaryWriter uses): PyTorch-style tags, a 242×242 RGB
/// make_grid of 64 tiles, a second run to switch to and overlay, more events appended live, and
/// a restarted writer. Skipped without the package, except on CI (.ci/run installs it).
final class WatchTensorBoardEndToEndTests: TmuxTestCase {
    private typealias Harness = FullScreenEndToEndTests

    /// Appends to LOGDIR/RUN, in a new event file as a fresh SummaryWriter does, scalars for
    /// steps FIRST..LAST (every 10) and a samples grid every 100 steps.
    static let writer = #"""
    import sys, os, struct, zlib
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
    from tensorboard.compat.proto.event_pb2 import Event
    from tensorboard.compat.proto.summary_pb2 import Summary
    logdir, run, d_tag, g_tag, first, last = sys.argv[1:7]
    first, last = int(first), int(last)
    def png(width, height, pixel):
        rows = b"".join(b"\0" + bytes(v for x in range(width) for v in pixel(x, y)) for y in range(height))
        def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) \
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    def grid(x, y):
        # make_grid(nrow=8, padding=2) of 64 28x28 tiles: black padding, a red ring on the left
        # half of the tiles and a green one on the right.
        tx, ty = (x - 2) % 30, (y - 2) % 30
        if x < 2 or y < 2 or tx >= 28 or ty >= 28: return (0, 0, 0)
        r2 = (tx - 13.5) ** 2 + (ty - 13.5) ** 2
        if not (36 <= r2 <= 144): return (0, 0, 0)
        return (230, 30, 30) if x < 121 else (30, 230, 30)
    w = EventFileWriter(os.path.join(logdir, run), flush_secs=1)
    for step in range(first, last + 1, 10):
        t = step / 1000.0
        values = [Summary.Value(tag=d_tag, simple_value=1.4 - t), Summary.Value(tag=g_tag, simple_value=0.7 + t)]
        w.add_event(Event(wall_time=1.0e9 + step, step=step, summary=Summary(value=values)))
        if step % 100 == 0 and step > 0:
            image = Summary.Image(height=242, width=242, colorspace=3, encoded_image_string=png(242, 242, grid))
            w.add_event(Event(wall_time=1.0e9 + step, step=step, summary=Summary(value=[Summary.Value(tag="samples", image=image)])))
    w.flush(); w.close()
    """#

    private func write(_ logdir: URL, run: String, tags: (String, String), steps: ClosedRange<Int>) throws {
        let r = Harness.run("/usr/bin/env", ["python3", "-c", Self.writer, logdir.path, run, tags.0, tags.1,
                                            String(steps.lowerBound), String(steps.upperBound)])
        XCTAssertEqual(r.status, 0, "the tensorboard writer failed: \(r.output)")
    }

    private func requireTensorBoard() throws {
        let probe = Harness.run("/usr/bin/env", ["python3", "-c", "import tensorboard"])
        guard probe.status != 0 else { return }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail("CI=true but python3 cannot import tensorboard (.ci/run installs it): \(probe.output)")
        }
        throw XCTSkip("python3 with the tensorboard package is not available (pip install tensorboard)")
    }

    func testWatchesEventFilesFromTheTensorBoardWriter() throws {
        try requireTensorBoard()
        let binary = try Harness.gantopBinary().path
        let logdir = try work().appendingPathComponent("logs")
        try write(logdir, run: "dcgan", tags: ("Loss/D", "Loss/G"), steps: 0...300)
        try write(logdir, run: "mlp", tags: ("errD", "errG"), steps: 0...150)
        // Beside mlp's good file, a corrupt one (a length whose CRC does not match): an error line, not a stop.
        try Data([0x10, 0, 0, 0, 0, 0, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF] + [UInt8](repeating: 7, count: 40))
            .write(to: logdir.appendingPathComponent("mlp/events.out.tfevents.0.corrupt"))
        let watch = try startSession([binary, "watch", logdir.path, "--run", "dcgan"], root: try work(), width: 160, height: 50)
        func poll<T>(_ what: String, timeout: Double = 15, _ check: ([String]) -> T?) throws -> T {
            try XCTUnwrap(watch.poll(timeout: timeout, check), what + watch.diagnostics)
        }
        func screenHas(_ texts: String...) -> ([String]) -> [String]? {
            { s in texts.allSatisfy { t in s.contains { $0.contains(t) } } ? s : nil }
        }

        // 1. The run's tags picked and named, the newest grid drawn in colour half blocks.
        _ = try poll("the dcgan run did not show with its tags and grid",
                     screenHas("run dcgan (1/2)", "step 300 ", "━ D Loss/D  ━ G Loss/G", "samples · step 300 · 3/3",
                               "242×242 half-block", "from tensorboard"))
        let coloured = watch.tmux(["capture-pane", "-p", "-e", "-t", "sig"]).output
        // Red and green rings: palette colours from the cube's red (160/196) and green (40/46) corners.
        XCTAssertTrue(["38;5;160m▀", "38;5;196m▀", "48;5;160m", "48;5;196m"].contains { coloured.contains($0) },
                      "no red half blocks in the image panel" + watch.diagnostics)
        XCTAssertTrue(["38;5;40m▀", "38;5;46m▀", "48;5;40m", "48;5;46m"].contains { coloured.contains($0) },
                      "no green half blocks in the image panel" + watch.diagnostics)

        // 2. Tab: the other run, its own spelling of the tags; o: both runs on one chart.
        watch.send(["Tab"])
        _ = try poll("Tab did not switch to the mlp run", screenHas("run mlp (2/2)", "━ D errD  ━ G errG", "samples · step 100 · 1/1"))
        _ = try poll("the corrupt file is not named on the status bar", screenHas("events.out.tfevents.0.corrupt", "corrupt record at byte 0"))
        watch.send(["o"])
        _ = try poll("o did not overlay the runs", screenHas("Losses · all runs", "━ mlp D  ╍ mlp G  ━ dcgan D  ╍ dcgan G"))
        watch.send(["o"])
        watch.send(["s"])
        _ = try poll("s did not smooth the curves", timeout: 5, screenHas("┌ Losses EMA "))
        watch.send(["s"])
        watch.send(["R"])
        _ = try poll("R did not go back to dcgan", screenHas("run dcgan (1/2)"))

        // 2b. Resizes: a smaller layout, then too small, then back.
        watch.tmux(["resize-window", "-t", "sig", "-x", "100", "-y", "30"])
        _ = try poll("not redrawn at 100×30", timeout: 5) { s in
            s.count == 30 && s[0].contains("run dcgan") && s[29].contains("q quit") ? s : nil
        }
        watch.tmux(["resize-window", "-t", "sig", "-x", "70", "-y", "20"])
        _ = try poll("no too-small message at 70×20", timeout: 5, screenHas("terminal too small", "70×20"))
        watch.tmux(["resize-window", "-t", "sig", "-x", "160", "-y", "50"])
        _ = try poll("not redrawn at 160×50", timeout: 5, screenHas("run dcgan (1/2)", "samples · step 300 · 3/3"))

        // 3. The writer goes on (a new event file, as a resumed SummaryWriter writes) while the view is
        //    paused: the screen holds still; resumed, it shows what was read meanwhile.
        watch.send(["Space"])
        _ = try poll("space did not pause the view", timeout: 5, screenHas("PAUSED", "view paused"))
        try write(logdir, run: "dcgan", tags: ("Loss/D", "Loss/G"), steps: 310...400)
        Thread.sleep(forTimeInterval: 4.5)  // the file scan (3 s) and a poll (1 s) have read it by now
        XCTAssertTrue(watch.capture()[0].contains("step 300 "), "a paused view must not move" + watch.diagnostics)
        watch.send(["Space"])
        _ = try poll("the appended steps did not show", screenHas("LIVE", "step 400 ", "samples · step 400 · 4/4"))

        // 4. A restarted writer (steps from 0 again): RESTARTED, and its old points dropped.
        try write(logdir, run: "dcgan", tags: ("Loss/D", "Loss/G"), steps: 0...50)
        _ = try poll("the restart was not reported", screenHas("RESTARTED", "went back from step 400 to 0", "step 50 "))

        XCTAssertEqual(watch.quit(), "EXIT=0", "gantop watch did not exit with 0 on q" + watch.diagnostics)
    }

    /// 40 images of RGB noise, 78×78: each frame of the image panel needs ~3,000 colour pairs, and
    /// scrubbing through them all needs more than the terminal's 32,767. The table must start
    /// afresh, not leave half blocks in the default colours.
    static let noiseWriter = #"""
    import sys, os, struct, zlib, random
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
    from tensorboard.compat.proto.event_pb2 import Event
    from tensorboard.compat.proto.summary_pb2 import Summary
    random.seed(1)
    def png(w, h):
        rows = b"".join(b"\0" + bytes(random.randrange(256) for _ in range(w * 3)) for y in range(h))
        def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) \
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    w = EventFileWriter(os.path.join(sys.argv[1], "noise"))
    for step in range(1, 41):
        image = Summary.Image(height=78, width=78, colorspace=3, encoded_image_string=png(78, 78))
        values = [Summary.Value(tag="loss_d", simple_value=1.0), Summary.Value(tag="samples", image=image)]
        w.add_event(Event(wall_time=1.0e9 + step, step=step, summary=Summary(value=values)))
    w.flush(); w.close()
    """#

    func testScrubbingThroughColourImagesNeverRunsOutOfColours() throws {
        try requireTensorBoard()
        let binary = try Harness.gantopBinary().path
        let logdir = try work().appendingPathComponent("noise-logs")
        let r = Harness.run("/usr/bin/env", ["python3", "-c", Self.noiseWriter, logdir.path])
        XCTAssertEqual(r.status, 0, r.output)
        let watch = try startSession([binary, "watch", logdir.path], root: try work(), width: 160, height: 50)
        _ = try XCTUnwrap(watch.poll(timeout: 15) { s in s.contains { $0.contains("samples · step 40 · 40/40") } ? s : nil },
                          "the noise run did not show" + watch.diagnostics)
        for _ in 0 ..< 39 {
            watch.send(["["])
            usleep(250_000)  // each image drawn before the next key, as a user scrubbing would see them
        }
        _ = try XCTUnwrap(watch.poll(timeout: 10) { s in s.contains { $0.contains("samples · step 1 · 1/40") } ? s : nil },
                          "did not scrub back to the first image" + watch.diagnostics)
        Thread.sleep(forTimeInterval: 0.5)
        let screen = watch.tmux(["capture-pane", "-p", "-e", "-t", "sig"]).output
        let (halfBlocks, uncoloured) = Self.halfBlocksWithoutColour(screen)
        XCTAssertEqual(halfBlocks, 78 * 39, "the image panel's cells" + watch.diagnostics)
        XCTAssertEqual(uncoloured, 0, "half blocks left in the default colours")
        XCTAssertEqual(watch.quit(), "EXIT=0", watch.diagnostics)
    }

    /// Counts '▀' cells in a `capture-pane -e` screen, and those lacking a 256-colour foreground or background.
    static func halfBlocksWithoutColour(_ screen: String) -> (Int, Int) {
        var total = 0, uncoloured = 0
        for line in screen.split(separator: "\n") {
            var fg = false, bg = false
            var scalars = line.unicodeScalars[...]
            while let c = scalars.first {
                scalars = scalars.dropFirst()
                if c == "\u{1B}", scalars.first == "[" {
                    var code = ""
                    scalars = scalars.dropFirst()
                    while let d = scalars.first, d != "m" { code.unicodeScalars.append(d); scalars = scalars.dropFirst() }
                    scalars = scalars.dropFirst()
                    let parts = code.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
                    var k = 0
                    while k < parts.count {
                        if (parts[k] == "38" || parts[k] == "48"), k + 2 < parts.count, parts[k + 1] == "5" {
                            if parts[k] == "38" { fg = true } else { bg = true }
                            k += 3
                            continue
                        }
                        if parts[k] == "0" || parts[k].isEmpty { fg = false; bg = false }
                        if parts[k] == "39" { fg = false }
                        if parts[k] == "49" { bg = false }
                        k += 1
                    }
                } else if c == "▀" {
                    total += 1
                    if !fg || !bg { uncoloured += 1 }
                }
            }
        }
        return (total, uncoloured)
    }
}
