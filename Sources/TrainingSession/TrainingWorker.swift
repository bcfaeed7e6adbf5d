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
        /// Seconds between phases in explain mode.
        public var explainPhaseInterval: Double = 1.0
        public init() {}
    }

    public let channel: SessionChannel
    private let model: SessionModel
    private let options: Options
    private let finished = NSCondition()
    private var isFinished = false
    // Worker-thread state (never touched by other threads once `start` has been called).
    private var paused: Bool
    /// Index into `speedLimits` (0: full speed) and when the throttled trainer may step next.
    private var speedIndex = 0
    private var nextStepTime: Date?

    /// The throttle's notches in steps/s, fastest first (nil: as fast as the machine goes).
    public static let speedLimits: [Int?] = [nil, 100, 30, 10, 3, 1]

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

    /// Commands apply strictly in the order they were sent: a single step runs right where its
    /// command stands, so `n` then `w` saves the stepped model.
    private func run() {
        var lastPublish = Date.distantPast
        model.state = currentState  // started paused: the first snapshot already says PAUSED
        publish()
        while true {
            // Throttled: sleep on the channel until the next step is due or a command arrives.
            let deadline = isIdle ? nil : nextStepTime.flatMap { $0 > Date() ? $0 : nil }
            var commands = channel.takeCommands(waitIfNone: isIdle, deadline: deadline)
            // Quit does not wait behind queued saves and steps (a held-down `w`, say): those are
            // dropped (quitting saves anyway); cheap settings sent before it still apply in order.
            if let quit = commands.firstIndex(of: .quit) {
                commands = commands[..<quit].filter { $0 != .save && $0 != .step } + [.quit]
            }
            for command in commands {
                switch command {
                case .quit:
                    model.finish()
                    publish()
                    return
                case .togglePause:
                    if model.state != .diverged && !reachedStop { paused.toggle() }
                case .step:
                    if !paused {
                        paused = true
                    } else if model.state != .diverged && !reachedStop {
                        model.state = .stepping
                        publish()
                        trainOneStep()   // in explain mode: one phase
                    }
                case .toggleExplain:
                    model.setExplaining(!model.isExplaining)
                    nextStepTime = nil
                case .stepDiscriminator, .stepGenerator:
                    if !paused {
                        paused = true
                    } else if model.state != .diverged {  // also at --steps: the step counter does not move
                        model.state = .stepping
                        publish()
                        model.trainAlone(command == .stepDiscriminator ? .discriminator : .generator)
                    }
                case .scaleLearningRateD(let factor):
                    model.scaleLearningRate(.discriminator, by: factor)
                case .scaleLearningRateG(let factor):
                    model.scaleLearningRate(.generator, by: factor)
                case .adjustDSteps(let delta):
                    model.adjustDSteps(by: delta)
                case .cycleLoss:
                    model.cycleLoss()
                case .cycleOptimizer:
                    model.cycleOptimizer()
                case .stepBatchSize(let direction):
                    model.stepBatchSize(by: direction)
                case .adjustSpeed(let notches):
                    speedIndex = min(max(speedIndex + notches, 0), Self.speedLimits.count - 1)
                    model.speedLimit = Self.speedLimits[speedIndex]
                    model.setMessage(model.speedLimit.map { "speed limit \($0) steps/s" } ?? "full speed")
                    nextStepTime = nil
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
            guard !isIdle else { continue }
            let now = Date()
            if let due = nextStepTime, due > now { continue }  // woken by a command: not due yet
            if model.isExplaining {
                nextStepTime = now.addingTimeInterval(options.explainPhaseInterval)
            } else if let limit = model.speedLimit {
                // Paced from this step's start: never faster than the limit, and no burst to
                // catch up after a pause or a slow step.
                nextStepTime = now.addingTimeInterval(1.0 / Double(limit))
            } else {
                nextStepTime = nil
            }
            trainOneStep()
            let published = Date()
            if isIdle || published.timeIntervalSince(lastPublish) >= options.publishInterval || model.speedLimit != nil
                || model.isExplaining {
                publish()
                lastPublish = published
            }
        }
    }

    /// Paused, diverged or done: the worker sleeps until a command arrives.
    private var isIdle: Bool { paused || model.state == .diverged || reachedStop }

    private func trainOneStep() {
        if model.isExplaining { model.runNextPhase() } else { model.trainStep() }
        if reachedStop, let stop = options.stopAtStep {
            paused = true
            model.setMessage("stopped at step \(stop) (--steps); w saves, q quits")
        }
        model.state = currentState
    }

    private var reachedStop: Bool {
        if let stop = options.stopAtStep { return model.step >= stop }
        return false
    }

    private var currentState: TrainerState {
        if model.state == .diverged || model.hasDiverged { return .diverged }
        return paused ? .paused : .running
    }

    private func publish() { channel.publish(model.snapshot()) }
}
