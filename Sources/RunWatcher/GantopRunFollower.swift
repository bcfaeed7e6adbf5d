import Foundation
import GANView

/// Follows a directory written by `gantop train --out DIR` (see GANTraining's RunOutput): every
/// column of losses.csv becomes a scalar tag (d_loss, g_loss, d_real, d_fake, epoch), every
/// samples-step*.png an image under the tag "samples"; events.csv (changes made from the keyboard,
/// the Fréchet distance at saves) and new checkpoints are news on the status bar, and events with
/// a number (frechet_distance, lr_d…) scalars too. losses.csv gets a row per step as it happens,
/// so its modification time says when the trainer last did anything.
final class GantopRunFollower: RunFollower {
    static let lossFile = "losses.csv"
    static let samplePrefix = "samples-step", sampleSuffix = ".png"
    static let imageTag = "samples"

    let directory: URL
    private let losses: LineTail
    private let events: LineTail
    private var columns: [String]?
    private var eventsHeaderSeen = false
    private var newestCheckpoint: Int?
    private var seenSamples: Set<String> = []

    init(directory: URL) {
        self.directory = directory
        losses = LineTail(url: directory.appendingPathComponent(Self.lossFile))
        events = LineTail(url: directory.appendingPathComponent("events.csv"))
    }

    /// Whether `directory` looks like a gantop run (what discovery asks).
    static func isRunDirectory(_ names: [String]) -> Bool {
        names.contains(lossFile) || names.contains { $0.hasPrefix(samplePrefix) && $0.hasSuffix(sampleSuffix) }
    }

    func poll(into run: inout WatchedRun, now: Double) {
        run.knownLossTags = ("d_loss", "g_loss")
        do {
            let tail = try losses.poll()
            if tail.restarted {
                columns = nil
                run.notify("\(Self.lossFile) was replaced or truncated: read again from the start", now: now)
            }
            if tail.droppedLongLine { run.warn("\(Self.lossFile): a line over 64 KB was skipped") }
            for line in tail.lines { take(line, into: &run, now: now) }
            if let modified = tail.modified { run.lastChange = max(run.lastChange ?? modified, modified) }
        } catch {
            run.warn("\(error)")
        }
        pollEvents(into: &run, now: now)
        pollSamples(into: &run, now: now)
    }

    /// events.csv rows `step,event,value`: news, and a scalar when the value is a number.
    private func pollEvents(into run: inout WatchedRun, now: Double) {
        guard let tail = try? events.poll() else { return }
        if tail.restarted { eventsHeaderSeen = false }
        for line in tail.lines where !line.isEmpty {
            guard eventsHeaderSeen else { eventsHeaderSeen = true; continue }
            let fields = line.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3, let step = Int(fields[0]), !fields[1].isEmpty else { continue }
            if let value = Float(fields[2]) { run.addScalar(tag: fields[1], step: step, value: value, now: now) }
            run.notify("step \(Fmt.grouped(step)): \(fields[1]) \(fields[2])", now: now)
        }
    }

    private func take(_ line: String, into run: inout WatchedRun, now: Double) {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard let columns else {
            guard fields.first == "step" else {
                run.warn("\(Self.lossFile): the header \"\(StatusBar.truncate(line, to: 40))\" has no step column first")
                self.columns = []
                return
            }
            self.columns = fields
            return
        }
        guard !columns.isEmpty, !line.isEmpty else { return }
        guard fields.count == columns.count, let step = Int(fields[0]) else {
            run.warn("\(Self.lossFile): skipped a malformed row \"\(StatusBar.truncate(line, to: 40))\"")
            return
        }
        for (name, text) in zip(columns, fields).dropFirst() {
            // "nan" and "inf" are what CSVLog writes for a diverged network: keep them as such.
            guard let value = Float(text) else { continue }
            run.addScalar(tag: name, step: step, value: value, now: now)
        }
    }

    /// New sample grids, in step order (the file is renamed into place whole, so it is complete),
    /// and the newest checkpoint.
    private func pollSamples(into run: inout WatchedRun, now: Double) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        let checkpoint = names.compactMap { name -> Int? in
            guard name.hasPrefix("checkpoint-step"), name.hasSuffix(".safetensors") else { return nil }
            return Int(name.dropFirst("checkpoint-step".count).dropLast(".safetensors".count))
        }.max()
        if let checkpoint, checkpoint != newestCheckpoint {
            newestCheckpoint = checkpoint
            run.notify("saved checkpoint-step\(checkpoint).safetensors", now: now)
        }
        let fresh = names.compactMap { name -> (Int, String)? in
            guard !seenSamples.contains(name), name.hasPrefix(Self.samplePrefix), name.hasSuffix(Self.sampleSuffix),
                  let step = Int(name.dropFirst(Self.samplePrefix.count).dropLast(Self.sampleSuffix.count)) else { return nil }
            return (step, name)
        }.sorted { $0.0 < $1.0 }
        for (step, name) in fresh {
            seenSamples.insert(name)
            run.addImage(SampleRecord(tag: Self.imageTag, step: step, payload: .file(directory.appendingPathComponent(name))),
                         now: now)
        }
    }
}
