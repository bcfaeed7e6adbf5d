/// What the user chose on the watch screen: which run, what is on the chart, which image.
/// Plain state, changed by the keys' actions and read by `WatchFrameBuilder`.
public struct WatchControls: Sendable, Equatable {
    /// The run shown (by name); nil or gone: the first.
    public var runName: String?
    /// Every run's D and G curves on one chart.
    public var overlay = false
    public var paused = false
    public var smoothing = false
    /// The scalar picker's highlighted row; nil: closed.
    public var pickerCursor: Int?
    /// Scalar tags put on the chart besides the loss curves (the same tag in every run).
    public var extraTags: [String] = []
    /// The step of the image shown while scrubbing; nil: the newest (live).
    public var imageStep: Int?
    /// The image tag chosen with `i`; nil: the one picked from the names.
    public var imageTag: String?
    /// The image magnifier: 1, 2 or 4, looking at (centerX, centerY), fractions of the image.
    public var zoom = 1
    public var centerX = 0.5
    public var centerY = 0.5
    /// --d-tag / --g-tag.
    public var dTag: String?
    public var gTag: String?
    /// Seconds without new events before the run counts as silent.
    public var silenceAfter: Double = 150

    public init(dTag: String? = nil, gTag: String? = nil, runName: String? = nil, silenceAfter: Double = 150) {
        self.dTag = dTag
        self.gTag = gTag
        self.runName = runName
        self.silenceAfter = silenceAfter
    }

    /// The index of the current run in `runs` (0 when the chosen one is not there).
    public func runIndex(in runs: [WatchedRun]) -> Int {
        runName.flatMap { name in runs.firstIndex { $0.name == name } } ?? 0
    }

    /// Tab / r / R: the next or previous run, wrapping; scrubbing and the picker start afresh.
    public mutating func switchRun(by offset: Int, in runs: [WatchedRun]) {
        guard !runs.isEmpty else { return }
        let i = (runIndex(in: runs) + offset % runs.count + runs.count) % runs.count
        runName = runs[i].name
        imageStep = nil
        if pickerCursor != nil { pickerCursor = 0 }
    }

    /// `[`: one image older than the one shown (the oldest kept stays; a lone image stays live).
    public mutating func scrubBack(in records: [SampleRecord]) {
        guard records.count > 1 else { return }
        let i = WatchFrameBuilder.shownIndex(records, step: imageStep)
        imageStep = records[max(i - 1, 0)].step
    }

    /// `]`: one image newer; reaching the newest is live again (following new images).
    public mutating func scrubForward(in records: [SampleRecord]) {
        guard imageStep != nil, !records.isEmpty else { return }
        let i = WatchFrameBuilder.shownIndex(records, step: imageStep)
        imageStep = i + 2 < records.count ? records[i + 1].step : nil
    }

    public mutating func scrubOldest(in records: [SampleRecord]) {
        imageStep = records.first?.step
    }

    /// `i`: the run's next image tag (scrubbing starts afresh).
    public mutating func cycleImageTag(in run: WatchedRun) {
        guard run.imageTags.count > 1 else { return }
        let current = WatchFrameBuilder.imageTag(of: run, controls: self).flatMap { run.imageTags.firstIndex(of: $0) } ?? 0
        imageTag = run.imageTags[(current + 1) % run.imageTags.count]
        imageStep = nil
    }

    /// `z`: 2×, 4×, then the whole image again (centred).
    public mutating func cycleZoom() {
        zoom = zoom >= 4 ? 1 : zoom * 2
        if zoom == 1 { (centerX, centerY) = (0.5, 0.5) }
    }

    /// Arrows while zoomed: half a view over, stopping at the image's edges.
    public mutating func pan(dx: Int, dy: Int) {
        guard zoom > 1 else { return }
        let half = 1 / Double(2 * zoom), step = 1 / Double(2 * zoom)
        centerX = min(max(centerX + Double(dx) * step, half), 1 - half)
        centerY = min(max(centerY + Double(dy) * step, half), 1 - half)
    }

    /// `p`: opens the picker on the first row, or closes it.
    public mutating func togglePicker() {
        pickerCursor = pickerCursor == nil ? 0 : nil
    }

    public mutating func movePicker(by offset: Int, rows: Int) {
        guard let cursor = pickerCursor, rows > 0 else { return }
        pickerCursor = min(max(cursor + offset, 0), rows - 1)
    }

    /// Enter in the picker: the highlighted scalar goes on the chart, or off it. The loss tags
    /// stay (they are the chart's reason to be; --d-tag / --g-tag choose them).
    public mutating func toggleTag(_ tag: String, lossTags: (d: String?, g: String?)) {
        guard tag != lossTags.d, tag != lossTags.g else { return }
        if let i = extraTags.firstIndex(of: tag) {
            extraTags.remove(at: i)
        } else if extraTags.count < WatchFrameBuilder.maxExtraTags {
            extraTags.append(tag)
        }
    }
}
