/// The three phases one GAN step is made of, as each model carries them out.
protocol GANPhases: AnyObject {
    var sampler: EpochSampler { get }
    var phaseTimer: PhaseTimer? { get }
    /// (1) G turns noise into the batch's fakes.
    func generateFakes()
    /// (2) D learns on a real batch and those fakes: its loss, mean D(x) and mean D(G(z)).
    func updateDiscriminator() -> (loss: Float, real: Float, fake: Float)
    /// (3) G learns through the frozen D: its loss and mean D(G(z)) on the fakes it used.
    func updateGenerator() -> (loss: Float, fake: Float)
}

/// In what order the phases run and what each way of running them reports, for both GANs (the
/// MLP's `MNISTGAN` and `DCGANModel`): whole steps with k D rounds, the lone D and G updates (keys
/// `d`, `g`) and explain mode's phase at a time, with the step counter, which counts whole steps.
final class PhaseSchedule {
    var step = 0
    /// D updates per G update (0–10), changeable between steps. 1 is the paper's recipe and
    /// exactly the historical step; 0 freezes D (G keeps chasing a fixed D).
    var dStepsPerGStep = 1 {
        didSet { precondition((0 ... 10).contains(dStepsPerGStep), "D steps per G step must be 0–10") }
    }
    /// D's numbers from the last phase 2 of the step in progress (phase 3 reports them with G's).
    private var pendingDiscriminator = (loss: Float.nan, real: Float.nan, fake: Float.nan)

    /// One step of the classic recipe: k = `dStepsPerGStep` rounds of phases 1+2, then phase 3
    /// on the last round's fakes (G has not changed since), so k = 1 is bit-identical to the
    /// original single-round step that the determinism and resume tests pin down.
    func trainStep(_ model: some GANPhases) -> StepStats {
        model.phaseTimer?.start()
        var d = (loss: Float.nan, real: Float.nan, fake: Float.nan)
        for _ in 0 ..< dStepsPerGStep {
            model.generateFakes()
            d = model.updateDiscriminator()
        }
        if dStepsPerGStep == 0 { model.generateFakes() }
        let g = model.updateGenerator()
        step += 1
        return StepStats(step: step, epoch: model.sampler.epoch, dLoss: d.loss, gLoss: g.loss, dReal: d.real,
                         dFake: dStepsPerGStep == 0 ? g.fake : d.fake, updatedD: dStepsPerGStep > 0)
    }

    /// Phases 1+2 alone (key `d`): fresh fakes, one D update, G untouched. The step counter
    /// does not move: it counts G updates, so a lone phase never looks like a whole step.
    func trainDiscriminatorStep(_ model: some GANPhases) -> StepStats {
        model.phaseTimer?.start()
        model.generateFakes()
        let d = model.updateDiscriminator()
        return StepStats(step: step, epoch: model.sampler.epoch, dLoss: d.loss, gLoss: .nan, dReal: d.real,
                         dFake: d.fake, updatedG: false)
    }

    /// Phases 1+3 alone (key `g`): fresh noise, G forward, one G update through the frozen D.
    /// dFake is D(G(z)) on those fakes, before G's update.
    func trainGeneratorStep(_ model: some GANPhases) -> StepStats {
        model.phaseTimer?.start()
        model.generateFakes()
        let g = model.updateGenerator()
        return StepStats(step: step, epoch: model.sampler.epoch, dLoss: .nan, gLoss: g.loss, dReal: .nan,
                         dFake: g.fake, updatedD: false)
    }

    /// The phases of one whole step with the current k: (1, 2) k times, then 3 (k = 0: 1, 3),
    /// exactly what `trainStep` does in one go.
    var phasesPerStep: [TrainingPhase] {
        dStepsPerGStep == 0 ? [.generate, .trainGenerator]
            : Array(repeating: [TrainingPhase.generate, .trainDiscriminator], count: dStepsPerGStep).flatMap { $0 } + [.trainGenerator]
    }

    /// Runs one phase. Running `phasesPerStep` in order is bit-identical to `trainStep()`; the
    /// step counter advances after phase 3. Values a phase did not compute are NaN.
    func run(_ phase: TrainingPhase, _ model: some GANPhases) -> StepStats {
        let epoch = { model.sampler.epoch }
        switch phase {
        case .generate:
            model.generateFakes()
            return StepStats(step: step, epoch: epoch(), dLoss: .nan, gLoss: .nan, dReal: .nan, dFake: .nan,
                             updatedD: false, updatedG: false)
        case .trainDiscriminator:
            pendingDiscriminator = model.updateDiscriminator()
            let d = pendingDiscriminator
            return StepStats(step: step, epoch: epoch(), dLoss: d.loss, gLoss: .nan, dReal: d.real, dFake: d.fake,
                             updatedG: false)
        case .trainGenerator:
            let d = pendingDiscriminator, g = model.updateGenerator()
            pendingDiscriminator = (.nan, .nan, .nan)
            step += 1
            return StepStats(step: step, epoch: epoch(), dLoss: d.loss, gLoss: g.loss, dReal: d.real,
                             dFake: d.fake.isNaN ? g.fake : d.fake, updatedD: !d.loss.isNaN)
        }
    }
}
