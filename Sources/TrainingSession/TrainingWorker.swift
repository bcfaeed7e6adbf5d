import Foundation
import GANTraining
import GANView

/// Runs the trainer on its own thread and publishes what the UI draws.
///
/// The worker owns the models outright: it is the only thread that touches weights, so saving
/// happens here too, between two steps, and a save always sees a consistent model.
public final class TrainingWorker: @unchecked Sendable {
    public struct Options: Sendable {
        /// Publish at most this often while running (the UI draws at up to 30 frames/s).
        public var publishInterval: Double = 1.0 / 30
        /// Stop (and finish) at this step; nil trains until quit.
        public var stopAtStep: Int?
        public var startPaused = false
        public init() {}
    }

    public let channel: SessionChannel
    private let model: SessionModel
    private let options: Options
    private let finished = NSCondition()
    private var isFinished = false
    // Worker-thread state (never touched by other threads once `start` has been called).
    private var paused: Bool
    private var pendingSteps = 0

    public init(model: SessionModel, channel: SessionChannel, options: Options = Options()) {
        self.model = model
        self.channel = channel
        self.options = options
        self.paused = options.startPaused
    }

    public func start() {
        let thread = Thread { [self] in
            run()
            finished.lock()
            isFinished = true
            finished.broadcast()
            finished.unlock()
        }
        thread.name = "gantop-trainer"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Blocks until the worker has left its loop (after `.quit`); `Thread` has no join.
    public func waitUntilFinished() {
        finished.lock()
        while !isFinished { finished.wait() }
        finished.unlock()
    }

    private func run() {
        var lastPublish = Date.distantPast
        model.state = currentState  // started paused: the first snapshot already says PAUSED
        publish()
        while true {
            let idle = (paused && pendingSteps == 0) || model.state == .diverged || reachedStop
            for command in channel.takeCommands(waitIfNone: idle) {
                switch command {
                case .quit:
                    model.finish()
                    publish()
                    return
                case .togglePause:
                    if model.state != .diverged { paused.toggle() }
                    pendingSteps = 0
                case .step:
                    if paused { pendingSteps += 1 } else { paused = true }
                case .save:
                    model.save()
                case .cycleTarget:
                    model.cycleTarget()
                case .setPanelBins(let bins):
                    model.panelBins = bins
                }
                model.state = currentState
                publish()
                lastPublish = Date()
            }
            guard !((paused && pendingSteps == 0) || model.state == .diverged || reachedStop) else { continue }
            if paused { pendingSteps -= 1 }
            model.trainStep()
            model.state = model.hasDiverged ? .diverged : currentState
            let now = Date()
            if paused || model.state == .diverged || now.timeIntervalSince(lastPublish) >= options.publishInterval || reachedStop {
                publish()
                lastPublish = now
            }
        }
    }

    private var reachedStop: Bool {
        if let stop = options.stopAtStep { return model.step >= stop }
        return false
    }

    private var currentState: TrainerState {
        if model.state == .diverged { return .diverged }
        if paused { return pendingSteps > 0 ? .stepping : .paused }
        return .running
    }

    private func publish() { channel.publish(model.snapshot()) }
}
