/// The digit grid and the 1-D panel as they were at one step, kept for scrubbing back in time.
public struct PanelFrame: Sendable, Equatable {
    public var step: Int
    /// The 16 digits, 784 bytes each, row-major, byte = round((v + 1) / 2 · 255): a quarter of
    /// the Floats' size, and the rounding is far below the 24 grey levels the grid can show.
    public var digitBytes: [UInt8]
    /// The 1-D panel at that step (nil: no 1-D GAN in this run).
    public var gan1d: Gan1DPanelData?

    public init(step: Int, digits: [[Float]], gan1d: Gan1DPanelData?) {
        self.step = step
        digitBytes = digits.flatMap { $0.map(Self.byte) }
        self.gan1d = gan1d
    }

    /// The digits back as Floats in [-1, 1], one 784-value image each, the way `FrameSnapshot` holds them.
    public var digits: [[Float]] {
        let side = FrameSnapshot.digitSide * FrameSnapshot.digitSide
        return stride(from: 0, to: digitBytes.count - side + 1, by: side).map { start in
            digitBytes[start ..< start + side].map { Float($0) / 127.5 - 1 }
        }
    }

    /// Bytes this frame holds (digits plus the 1-D panel's curves), for the stated memory bound.
    public var byteCount: Int {
        let curves = gan1d.map { ($0.generatedDensity.count + $0.dataDensity.count + $0.discriminator.count) * 4
            + $0.mapping.count * 8 } ?? 0
        return digitBytes.count + curves
    }

    /// A pixel in [-1, 1] as a byte; non-finite (a diverged G) reads as background, as the grid draws it.
    static func byte(_ value: Float) -> UInt8 {
        guard value.isFinite else { return 0 }
        return UInt8(min(max(((value + 1) * 127.5).rounded(), 0), 255))
    }
}

/// A bounded record of the digit grid and the 1-D panel over the whole run, for scrubbing (`[`, `]`).
///
/// A frame is recorded every `interval` steps (first 50). When `capacity` (256) frames are held
/// and another is due, every other frame is dropped (the first one stays) and the interval
/// doubles: the frames always reach back to the start of the run, evenly spaced, 129–256 of
/// them. Memory is bounded by `capacity` frames of 12,544 B of digits plus the 1-D curves (12 B
/// per bin, one bin per panel column, and 128 B of mapping): under 3.7 MB at 160 columns.
public struct PanelHistory: Sendable, Equatable {
    public static let defaultCapacity = 256
    public static let defaultInterval = 50

    public let capacity: Int
    /// Steps between two recorded frames; doubles each time the history is thinned.
    public private(set) var interval: Int
    /// Oldest first; steps strictly increasing.
    public private(set) var frames: [PanelFrame] = []

    public init(capacity: Int = defaultCapacity, interval: Int = defaultInterval) {
        precondition(capacity >= 2 && interval >= 1, "a history needs room for two frames and a positive interval")
        self.capacity = capacity
        self.interval = interval
    }

    /// Whether a frame at `step` should be recorded: the first always, then `interval` steps after the newest.
    public func isDue(atStep step: Int) -> Bool {
        guard let newest = frames.last else { return true }
        return step >= newest.step + interval
    }

    /// Appends `frame` (its step must be past the newest), thinning first when full.
    public mutating func record(_ frame: PanelFrame) {
        precondition(frames.last.map { frame.step > $0.step } ?? true, "history frames must be recorded in step order")
        if frames.count >= capacity {
            frames = stride(from: 0, to: frames.count, by: 2).map { frames[$0] }
            interval *= 2
        }
        frames.append(frame)
    }

    /// The frame to show for `step`: the newest at or before it (the oldest when none is).
    public func frame(atOrBefore step: Int) -> PanelFrame? {
        frames.last { $0.step <= step } ?? frames.first
    }

    /// The step of the newest frame before `step`, if any.
    public func step(before step: Int) -> Int? {
        frames.last { $0.step < step }?.step
    }

    /// The step of the oldest frame after `step`, if any.
    public func step(after step: Int) -> Int? {
        frames.first { $0.step > step }?.step
    }

    /// Bytes held by all frames.
    public var byteCount: Int { frames.reduce(0) { $0 + $1.byteCount } }
}

/// Which moment the grid and the 1-D panel show: live (the default) or a recorded step.
///
/// UI state, moved by keys against the latest snapshot's history: scrubbing never waits for the
/// trainer, and the trainer never learns what is being looked at.
public struct HistoryCursor: Sendable, Equatable {
    /// The recorded step being viewed; nil: live.
    public private(set) var step: Int?

    public init(step: Int? = nil) {
        self.step = step
    }

    public var isLive: Bool { step == nil }

    /// `[`: one recorded frame further back (from live: the newest frame older than the live
    /// step, which would look the same). At the oldest frame it stays.
    public mutating func back(in history: PanelHistory, liveStep: Int) {
        let shown = step.flatMap { history.frame(atOrBefore: $0)?.step } ?? liveStep
        if let earlier = history.step(before: shown) { step = earlier }
    }

    /// `]`: one recorded frame forward; past the newest frame older than the live step, back to live.
    public mutating func forward(in history: PanelHistory, liveStep: Int) {
        guard let current = step else { return }
        let shown = history.frame(atOrBefore: current)?.step ?? current
        if let later = history.step(after: shown), later < liveStep {
            step = later
        } else {
            step = nil
        }
    }

    /// `Home`: the oldest frame (when it is older than live).
    public mutating func oldest(in history: PanelHistory, liveStep: Int) {
        if let first = history.frames.first, first.step < liveStep { step = first.step }
    }

    /// `End`: back to live.
    public mutating func returnToLive() {
        step = nil
    }
}

extension FrameSnapshot {
    /// This snapshot with the cursor's frame to show in the grid and the 1-D panel; everything
    /// else (status bar, loss curves, quality) stays live.
    public func showing(_ cursor: HistoryCursor) -> FrameSnapshot {
        var copy = self
        copy.shownFrame = cursor.step.flatMap { panelHistory.frame(atOrBefore: $0) }
        return copy
    }
}
