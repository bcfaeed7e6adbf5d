/// How the 1-D GAN shares the worker thread with MNIST training.
///
/// The 1-D GAN is there to be watched converging, so right after it (re)starts (the UI opens, or
/// `t` picks a new target) its first `warmupSteps` steps get a large share of the worker's time and
/// reach KS < 0.05 in seconds; after that it falls back to a share small enough that the panel
/// costs MNIST training next to nothing. The warm-up is counted in 1-D steps, so it is the same
/// on every machine; only how fast it is delivered depends on the clock.
///
/// A share is a token bucket: time passing adds `fraction` of it as credit (kept up to
/// `creditLimit`), and every piece of 1-D work (a step, a figure) is charged what it took. Steps
/// run while the credit is not negative, at most `stepsPerStep` of them after each MNIST step.
public struct Gan1DPacing: Sendable {
    public struct Share: Sendable, Equatable {
        /// Of the wall time, for everything the panel costs (its steps and its figures).
        public var fraction: Double
        /// 1-D steps after one MNIST step at most.
        public var stepsPerStep: Int
        /// Unused share is kept up to this many seconds, no more: otherwise a long pause would buy
        /// the panel minutes of catching up (and training a few percent less speed) afterwards.
        public var creditLimit: Double

        public init(fraction: Double, stepsPerStep: Int, creditLimit: Double) {
            self.fraction = fraction
            self.stepsPerStep = stepsPerStep
            self.creditLimit = creditLimit
        }
    }

    /// 1-D steps at the warm-up share after a (re)start. Measured (`gantop gan1d`, normal target,
    /// seeds 1–40): KS first under 0.05 at steps 1,700–4,200 and under 0.035 for every seed by 8,000.
    public var warmupSteps = 8_000
    /// A quarter of the wall time: 8,000 steps take 1.3 s of compute alone (0.16 ms each) and up to
    /// ~5 s on a loaded machine, so the warm-up is over in 5–20 s, and MNIST training runs a
    /// quarter slower meanwhile. The credit covers a quarter of a slow (100 ms) MNIST step.
    public var warmup = Share(fraction: 0.25, stepsPerStep: 64, creditLimit: 0.03)
    /// Measured with `scripts/tui-throughput`: with 2 % for the steps and figures on top, the panel
    /// cost MNIST training 5 % (the other core idles while the worker runs the tiny 1-D products);
    /// 1 % in all keeps the whole UI within 5 %. At full speed that is ~40 1-D steps/s.
    public var steady = Share(fraction: 0.01, stepsPerStep: 2, creditLimit: 0.01)
    /// Seconds of 1-D work the shares allow now and that have not been spent (negative: overspent).
    public private(set) var credit = 0.0
    /// Seconds of 1-D work done in all.
    public private(set) var spent = 0.0
    private var accruedUntil: Double

    public init(startingAt now: Double) { accruedUntil = now }

    /// The share that applies while the 1-D GAN is at `step` (its steps since it started).
    public func share(atStep step: Int) -> Share { step < warmupSteps ? warmup : steady }

    /// Adds the share of the time since the last call, at the share of `step`.
    public mutating func accrue(now: Double, atStep step: Int) {
        let share = share(atStep: step)
        credit = min(share.creditLimit, credit + share.fraction * max(0, now - accruedUntil))
        accruedUntil = now
    }

    /// Counts a piece of 1-D work against the share.
    public mutating func charge(_ seconds: Double) {
        credit -= seconds
        spent += seconds
    }

    /// What to do after one MNIST step: accrues the time since the last call, then runs 1-D steps
    /// (`trainStep`, returning the 1-D GAN's step count after it) while the share allows.
    /// Returns how many ran.
    @discardableResult
    public mutating func runSteps(from step: Int, clock: () -> Double, trainStep: () -> Int) -> Int {
        var now = clock()
        accrue(now: now, atStep: step)
        var step = step, ran = 0
        while ran < share(atStep: step).stepsPerStep && credit >= 0 {
            step = trainStep()
            let end = clock()
            charge(end - now)
            now = end
            ran += 1
        }
        return ran
    }
}
