/// What a watched run (TensorBoard event files, or a gantop run directory being written by
/// someone else) looks like to the view: everything `WatchScreen` draws, as plain values.

/// How the watched run stands, in one word on the status bar.
public enum WatchState: String, Sendable, Hashable, CaseIterable {
    /// Events arrived recently.
    case live
    /// Nothing to show yet: no runs under the directory, or no events in the run.
    case waiting
    /// The writer has been silent longer than the silence threshold (finished, stuck or buffering).
    case silent
    /// Steps went backwards (a new event file or a resumed writer): older points were purged.
    case restarted
    /// The view is frozen by the user (the source keeps reading underneath).
    case paused
    /// The run's files cannot be read (an error line says why).
    case error

    public var word: String { rawValue.uppercased() }
}

/// One row of the scalar picker: a scalar tag of the current run.
public struct ScalarRow: Sendable, Hashable {
    public var tag: String
    public var value: Float
    public var step: Int
    /// "D" or "G" when it is the picked loss tag; nil otherwise.
    public var lossRole: String?
    /// On the chart (a loss tag, or one the user added).
    public var onChart: Bool

    public init(tag: String, value: Float, step: Int, lossRole: String? = nil, onChart: Bool = false) {
        self.tag = tag
        self.value = value
        self.step = step
        self.lossRole = lossRole
        self.onChart = onChart
    }
}

/// One row of the run list.
public struct RunRow: Sendable, Hashable {
    public var name: String
    public var step: Int?
    public var state: WatchState
    public var isCurrent: Bool
    /// Its loss curves are overlaid on the chart.
    public var isOverlaid: Bool

    public init(name: String, step: Int?, state: WatchState, isCurrent: Bool, isOverlaid: Bool = false) {
        self.name = name
        self.step = step
        self.state = state
        self.isCurrent = isCurrent
        self.isOverlaid = isOverlaid
    }
}

/// The sample image panel's content.
public struct ImageView: Sendable, Equatable {
    public var image: SampleImage?
    /// The tag (TensorBoard) or file name stem (gantop) the image came from.
    public var tag: String?
    public var step: Int?
    /// 1-based position among the images kept, and how many are kept; nil with none.
    public var position: Int?
    public var count: Int
    /// Scrubbed back (not following the newest).
    public var scrubbed: Bool
    /// Why there is no picture (no images logged yet, or a PNG that did not decode).
    public var placeholder: String
    /// The magnifier (1: the whole image, 2 or 4: a part of it) and where it looks (fractions).
    public var zoom = 1
    public var centerX = 0.5
    public var centerY = 0.5

    public init(image: SampleImage? = nil, tag: String? = nil, step: Int? = nil, position: Int? = nil, count: Int = 0,
                scrubbed: Bool = false, placeholder: String = "no images logged yet") {
        self.image = image
        self.tag = tag
        self.step = step
        self.position = position
        self.count = count
        self.scrubbed = scrubbed
        self.placeholder = placeholder
    }
}

/// Everything `WatchScreen` draws for one frame.
public struct WatchFrame: Sendable, Equatable {
    public var state: WatchState
    /// The directory given to `gantop watch`.
    public var logdir: String
    /// What the current run was read from: "tensorboard" or "gantop run".
    public var sourceKind: String
    public var runName: String
    public var runIndex: Int
    public var runCount: Int
    public var step: Int?
    /// Seconds since the newest event was written (nil: none yet).
    public var lastEventAge: Double?
    /// The picked loss tags and their newest values.
    public var dTag: String?
    public var gTag: String?
    public var dValue: Float?
    public var gValue: Float?
    public var series: [ChartSeries]
    /// Smoothing is on (the chart's title says so).
    public var smoothed: Bool
    public var scalars: [ScalarRow]
    /// The highlighted row while the scalar picker is open (nil: closed).
    public var pickerCursor: Int?
    public var runs: [RunRow]
    public var image: ImageView
    /// A warning or error line (a corrupt record, a bad image), newest first; empty: none.
    public var message: String
    /// Why the state word is what it is ("no events for 3m 12s · PyTorch flushes every 120 s").
    public var note: String

    public init(state: WatchState = .waiting, logdir: String = "", sourceKind: String = "", runName: String = "",
                runIndex: Int = 0, runCount: Int = 0, step: Int? = nil, lastEventAge: Double? = nil,
                dTag: String? = nil, gTag: String? = nil, dValue: Float? = nil, gValue: Float? = nil,
                series: [ChartSeries] = [], smoothed: Bool = false, scalars: [ScalarRow] = [], pickerCursor: Int? = nil,
                runs: [RunRow] = [], image: ImageView = ImageView(), message: String = "", note: String = "") {
        self.state = state
        self.logdir = logdir
        self.sourceKind = sourceKind
        self.runName = runName
        self.runIndex = runIndex
        self.runCount = runCount
        self.step = step
        self.lastEventAge = lastEventAge
        self.dTag = dTag
        self.gTag = gTag
        self.dValue = dValue
        self.gValue = gValue
        self.series = series
        self.smoothed = smoothed
        self.scalars = scalars
        self.pickerCursor = pickerCursor
        self.runs = runs
        self.image = image
        self.message = message
        self.note = note
    }
}
