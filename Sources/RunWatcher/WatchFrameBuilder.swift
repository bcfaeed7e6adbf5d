import Foundation
import GANFormats
import GANView
import TensorBoardFormat

/// Turns what the watcher read and what the user chose into the frame `WatchScreen` draws.
public struct WatchFrameBuilder {
    /// At most this many extra scalars on the chart beside D and G (the chart draws 8 lines).
    public static let maxExtraTags = 6
    /// Overlaid, at most this many runs (two lines each).
    public static let maxOverlaidRuns = 4
    /// EMA weight per logged value when smoothing is on.
    public static let smoothingAlpha: Float = 0.1
    /// A restart is the run's state for this long after it was noticed.
    public static let restartShownFor = 60.0

    private let cache = ImageCache()

    public init() {}

    /// The D and G loss tags of `run`: --d-tag / --g-tag (in the run's spelling; one the run does
    /// not log is kept, so the legend shows what was asked for), else picked from the tag names
    /// (LossTagPicker's common spellings), else what the source knows (gantop's d_loss / g_loss).
    public static func lossTags(of run: WatchedRun, controls: WatchControls) -> (d: String?, g: String?) {
        let picked = LossTagPicker.pick(tags: run.scalarTags, dTag: controls.dTag, gTag: controls.gTag)
        return (picked.d ?? controls.dTag ?? run.knownLossTags?.d, picked.g ?? controls.gTag ?? run.knownLossTags?.g)
    }

    /// The image tag shown: the one chosen with `i` if the run has it, else one whose name says
    /// samples or fakes, else the first logged.
    public static func imageTag(of run: WatchedRun, controls: WatchControls = WatchControls()) -> String? {
        if let chosen = controls.imageTag, run.imageTags.contains(chosen) { return chosen }
        return SampleTagPicker.pick(imageTags: run.imageTags)
    }

    /// The kept images of the shown tag, oldest first.
    public static func imageRecords(of run: WatchedRun, controls: WatchControls = WatchControls()) -> [SampleRecord] {
        imageTag(of: run, controls: controls).flatMap { run.images[$0] } ?? []
    }

    /// Index of the record shown for `step`: that step's, else the newest before it; nil step: the newest.
    static func shownIndex(_ records: [SampleRecord], step: Int?) -> Int {
        guard let step else { return records.count - 1 }
        return records.lastIndex { $0.step <= step } ?? 0
    }

    public func frame(_ snapshot: WatchSnapshot, controls: WatchControls, now: Double) -> WatchFrame {
        var frame = WatchFrame(logdir: snapshot.logdir, smoothed: controls.smoothing)
        guard !snapshot.runs.isEmpty else {
            frame.state = snapshot.failure == nil ? .waiting : .error
            frame.note = snapshot.failure ?? (snapshot.version == 0 ? "reading \(snapshot.logdir)…"
                : "no runs under \(snapshot.logdir) yet: waiting for TensorBoard event files (*tfevents*) or a gantop run (losses.csv)")
            return frame
        }
        let index = controls.runIndex(in: snapshot.runs)
        let run = snapshot.runs[index]
        let tags = Self.lossTags(of: run, controls: controls)
        frame.sourceKind = run.kind.label
        frame.runName = run.name
        frame.runIndex = index
        frame.runCount = snapshot.runs.count
        frame.step = run.lastStep
        frame.lastEventAge = run.lastChange.map { max(0, now - $0) }
        frame.dTag = tags.d
        frame.gTag = tags.g
        frame.dValue = tags.d.flatMap { run.scalars[$0]?.last?.value }
        frame.gValue = tags.g.flatMap { run.scalars[$0]?.last?.value }
        frame.series = series(snapshot.runs, current: index, controls: controls)
        frame.scalars = run.scalarTags.compactMap { tag in
            guard let last = run.scalars[tag]?.last else { return nil }
            let role = tag == tags.d ? "D" : (tag == tags.g ? "G" : nil)
            return ScalarRow(tag: tag, value: last.value, step: last.step, lossRole: role,
                             onChart: role != nil || controls.extraTags.contains(tag))
        }
        frame.pickerCursor = controls.pickerCursor.map { min($0, max(frame.scalars.count - 1, 0)) }
        frame.runs = snapshot.runs.enumerated().map { i, r in
            RunRow(name: r.name, step: r.lastStep, state: Self.state(of: r, controls: controls, now: now).state,
                   isCurrent: i == index, isOverlaid: controls.overlay && i != index && i < Self.maxOverlaidRuns)
        }
        frame.image = image(of: run, controls: controls)
        (frame.state, frame.note) = Self.state(of: run, controls: controls, now: now)
        if controls.paused {
            frame.state = .paused
            frame.note = "view paused: space resumes (the run is still being read)"
        }
        if tags.d == nil && tags.g == nil && !run.scalarTags.isEmpty && frame.state == .live {
            frame.note = "no D/G loss tags recognised: --d-tag/--g-tag name them, p puts any scalar on the chart"
        }
        var messages = run.warnings.prefix(1).map { $0 }
        if let notice = run.notice, now - notice.at < WatchedRun.noticeShownFor { messages.append(notice.text) }
        if let asked = controls.runName, snapshot.runs[index].name != asked {
            messages.insert("no run \(asked) under \(snapshot.logdir) (yet): showing \(run.name)", at: 0)
        }
        if run.droppedTags > 0 { messages.append("\(run.droppedTags) tags beyond the limit are ignored") }
        if let failure = snapshot.failure { messages.insert(failure, at: 0) }
        frame.message = messages.joined(separator: " · ")
        return frame
    }

    /// The run's state word and the note that explains it.
    static func state(of run: WatchedRun, controls: WatchControls, now: Double) -> (state: WatchState, note: String) {
        if let failure = run.failure { return (.error, failure) }
        guard run.lastStep != nil else {
            return (.waiting, run.kind == .gantop ? "waiting for the first row of losses.csv" : "waiting for the first events")
        }
        if let r = run.restart, now - r.noticedAt < restartShownFor {
            return (.restarted, "restarted: \(r.tag) went back from step \(Fmt.grouped(r.fromStep)) to \(Fmt.grouped(r.toStep)); its later points were dropped")
        }
        if let age = run.lastChange.map({ now - $0 }), age >= controls.silenceAfter {
            let hint = run.kind == .tensorboard ? " (PyTorch writes at least every 120 s)" : ""
            return (.silent, "no new events for \(Fmt.age(age)): finished, stopped or stuck\(hint)")
        }
        return (.live, "")
    }

    func series(_ runs: [WatchedRun], current: Int, controls: WatchControls) -> [ChartSeries] {
        func points(_ run: WatchedRun, _ tag: String?) -> [ScalarPoint] {
            guard let tag, let s = run.scalars[tag] else { return [] }
            return controls.smoothing ? s.smoothed(alpha: Self.smoothingAlpha) : s.points
        }
        let run = runs[current]
        if controls.overlay && runs.count > 1 {
            // The current run first, then the others: each run its colour, D solid, G dashed.
            let order = [current] + runs.indices.filter { $0 != current }
            return order.prefix(Self.maxOverlaidRuns).enumerated().flatMap { colour, i -> [ChartSeries] in
                let r = runs[i], tags = Self.lossTags(of: r, controls: controls)
                return [ChartSeries(label: "\(r.name) D", points: points(r, tags.d), colour: colour),
                        ChartSeries(label: "\(r.name) G", points: points(r, tags.g), colour: colour, dashed: true)]
            }
        }
        let tags = Self.lossTags(of: run, controls: controls)
        var out: [ChartSeries] = []
        if let d = tags.d { out.append(ChartSeries(label: "D " + d, points: points(run, d), colour: 0)) }
        if let g = tags.g { out.append(ChartSeries(label: "G " + g, points: points(run, g), colour: 1)) }
        for (k, tag) in controls.extraTags.enumerated() where tag != tags.d && tag != tags.g && run.scalars[tag] != nil {
            out.append(ChartSeries(label: tag, points: points(run, tag), colour: 2 + k))
        }
        return out
    }

    func image(of run: WatchedRun, controls: WatchControls) -> ImageView {
        let records = Self.imageRecords(of: run, controls: controls)
        guard !records.isEmpty else {
            return ImageView(placeholder: run.kind == .gantop ? "no samples-step*.png yet (written at each save)"
                                                              : "no images logged yet")
        }
        let i = Self.shownIndex(records, step: controls.imageStep)
        let record = records[i]
        var view = ImageView(tag: run.imageTags.count > 1 ? "\(record.tag) (i: \(run.imageTags.count) tags)" : record.tag,
                             step: record.step, position: i + 1, count: records.count, scrubbed: controls.imageStep != nil)
        (view.zoom, view.centerX, view.centerY) = (controls.zoom, controls.centerX, controls.centerY)
        switch cache.decoded(record, run: run.name) {
        case .success(let image): view.image = image
        case .failure(let error): view.placeholder = "step \(Fmt.grouped(record.step)): \(error)"
        }
        return view
    }
}

/// The last few decoded images, so a frame does not decode the same PNG again.
final class ImageCache: @unchecked Sendable {
    /// Which record: a PNG in memory is named by its tag, step and size rather than hashed whole.
    private struct Key: Hashable {
        var run: String
        var tag: String
        var step: Int
        var file: URL?
        var bytes: Int
    }
    private var entries: [(Key, Result<SampleImage, WatchError>)] = []
    private static let capacity = 4

    func decoded(_ record: SampleRecord, run: String) -> Result<SampleImage, WatchError> {
        var file: URL?
        if case .file(let url) = record.payload { file = url }
        let key = Key(run: run, tag: record.tag, step: record.step, file: file, bytes: record.byteCount)
        if let hit = entries.first(where: { $0.0 == key }) { return hit.1 }
        let result = Self.decode(record)
        entries.insert((key, result), at: 0)
        if entries.count > Self.capacity { entries.removeLast() }
        return result
    }

    /// Decoded images are kept at most this many pixels on a side: a terminal shows a few hundred
    /// at most, even zoomed 4×, and the view resamples the image every frame.
    static let maxSide = 1024

    static func bounded(_ image: SampleImage) -> SampleImage {
        let side = max(image.width, image.height)
        return side > maxSide ? image.reduced(by: (side + maxSide - 1) / maxSide) : image
    }

    static func decode(_ record: SampleRecord) -> Result<SampleImage, WatchError> {
        switch record.payload {
        case .file(let url):
            do {
                let png = try PNGImage.read(from: url)
                return .success(Self.bounded(SampleImage(width: png.width, height: png.height, channels: png.colorType.channels,
                                                         pixels: png.pixels)))
            } catch {
                return .failure(WatchError("\(error)"))
            }
        case .png(let bytes):
            do {
                let image = try decodeImage(bytes)
                return .success(Self.bounded(SampleImage(width: image.width, height: image.height, channels: image.channels,
                                                         pixels: image.pixels)))
            } catch {
                return .failure(WatchError("bad image: \(error)"))
            }
        }
    }
}
