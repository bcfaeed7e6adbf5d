import Foundation
import GANView

/// Follows a directory written by `gantop train --out DIR` (see GANTraining's RunOutput): every
/// column of losses.csv becomes a scalar tag (d_loss, g_loss, d_real, d_fake, epoch), every
/// samples-step*.png an image under the tag "samples". losses.csv gets a row per step as it
/// happens, so its modification time says when the trainer last did anything.
final class GantopRunFollower: RunFollower {
    static let lossFile = "losses.csv"
    static let samplePrefix = "samples-step", sampleSuffix = ".png"
    static let imageTag = "samples"

    let directory: URL
    private let losses: LineTail
    private var columns: [String]?
    private var seenSamples: Set<String> = []

    init(directory: URL) {
        self.directory = directory
        losses = LineTail(url: directory.appendingPathComponent(Self.lossFile))
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
        pollSamples(into: &run, now: now)
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

    /// New sample grids, in step order (the file is renamed into place whole, so it is complete).
    private func pollSamples(into run: inout WatchedRun, now: Double) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
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
