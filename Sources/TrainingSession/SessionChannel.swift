import Foundation
import GANView

/// What the UI can ask of the trainer. Commands are applied by the worker at a step boundary,
/// in the order they were sent.
public enum SessionCommand: Sendable, Equatable {
    case togglePause
    /// One whole training step while paused (while running: pause first).
    case step
    /// One D update alone (phases 1+2) while paused; the step counter does not move.
    case stepDiscriminator
    /// One G update alone (phases 1+3, D frozen) while paused; the step counter does not move.
    case stepGenerator
    /// Multiply D's (or G's) learning rate, e.g. by 0.5 or 2; takes effect from the next update.
    case scaleLearningRateD(Float)
    case scaleLearningRateG(Float)
    /// Change D steps per G step by this much (clamped to 0–10).
    case adjustDSteps(Int)
    /// Next objective (ns → minimax → ls), Adam ↔ SGD, next smaller (−1) / larger (+1) batch size.
    case cycleLoss
    case cycleOptimizer
    case stepBatchSize(Int)
    /// Explain mode on/off: one phase of the recipe about every second, each one explained.
    case toggleExplain
    /// Move the throttle this many notches slower (positive) or faster (negative).
    case adjustSpeed(Int)
    case save
    case cycleTarget
    /// The 1-D panel's resolution changed (terminal resized): sample its curves on this many bins.
    case setPanelBins(Int)
    case quit
}

/// The one place the UI thread and the worker thread meet.
///
/// Everything mutable sits behind one `NSCondition` (pthread-based, so ThreadSanitizer sees its
/// happens-before edges, unlike futex-based `Mutex`). The UI only ever *sends* commands and
/// *reads* the latest immutable snapshot; it never waits for the trainer.
public final class SessionChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var commands: [SessionCommand] = []
    private var snapshot: FrameSnapshot
    private var snapshotVersion = 0

    public init(initial: FrameSnapshot = FrameSnapshot()) {
        snapshot = initial
    }

    /// UI side: queue a command and wake a sleeping (paused) worker.
    public func send(_ command: SessionCommand) {
        condition.lock()
        commands.append(command)
        condition.signal()
        condition.unlock()
    }

    /// UI side: the latest snapshot and its version (the version only grows; equal means unchanged).
    public func latest() -> (snapshot: FrameSnapshot, version: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (snapshot, snapshotVersion)
    }

    /// Worker side: publish a new snapshot.
    func publish(_ new: FrameSnapshot) {
        condition.lock()
        snapshot = new
        snapshotVersion += 1
        condition.unlock()
    }

    /// Worker side: take the queued commands; if `wait` and none are queued, sleep until one is
    /// sent (this is how a paused worker uses no CPU). With a `deadline` (the throttle's next
    /// step), sleep at most until then, so a key still wakes a slowed-down trainer at once.
    func takeCommands(waitIfNone wait: Bool, deadline: Date? = nil) -> [SessionCommand] {
        condition.lock()
        defer { condition.unlock() }
        while wait && commands.isEmpty { condition.wait() }
        if let deadline {
            while commands.isEmpty && condition.wait(until: deadline) {}
        }
        let taken = commands
        commands.removeAll(keepingCapacity: true)
        return taken
    }
}
