import GANTraining
import GANView

/// Explain mode (key `e`): the classic recipe one phase at a time, each said in words.
extension SessionModel {
    /// Turns explain mode on (at a step boundary) or off (finishing the step in progress at
    /// once, so ordinary training resumes on whole steps).
    public func setExplaining(_ on: Bool) {
        guard on != isExplaining else { return }
        if on {
            isExplaining = true
            explainPosition = 0
            message = "explain mode: one phase of the classic recipe at a time (e again: back to full speed)"
        } else {
            while explainPosition != 0 && !hasDiverged { runNextPhase() }
            isExplaining = false
            explainLast = nil
            discriminatorBefore = nil
            digitsNote = nil
            gan1dFigureCache = nil
            message = "explain mode off"
        }
    }

    /// Runs the next phase of the current step (explain mode's tick, or `n` while paused in it).
    public func runNextPhase() {
        let phases = gan.phasesPerStep
        let index = min(explainPosition, phases.count - 1)   // k may have shrunk mid-step
        let phase = phases[index]
        let b = gan.configuration.batchSize
        if phase == .trainDiscriminator {
            gan1dFigureCache = nil
            discriminatorBefore = gan1dPanel()?.discriminator
        } else {
            discriminatorBefore = nil
        }
        let stats = gan.run(phase)
        gan1d?.run(phase)
        gan1dFigureCache = nil
        explainLast = ExplainStatus(phase: phase.rawValue, index: index + 1, count: phases.count)
        digitsNote = phase == .trainGenerator ? "changed by phase 3" : nil
        switch phase {
        case .generate:
            message = "(1) G turns \(b) uniform noise vectors z ~ U(−1, 1) into \(b) fake digits (and the 1-D G maps z to fake x)"
            explainPosition = index + 1
        case .trainDiscriminator:
            last = stats
            message = "(2) D is trained on \(b) real digits (label 1) and the \(b) fakes (label 0): d_loss \(Fmt.fixed(stats.dLoss, 3)), "
                + "D(x) \(Fmt.fixed(stats.dReal, 2)), D(G(z)) \(Fmt.fixed(stats.dFake, 2)); 1-D: D(x) moved from the dotted curve"
            explainPosition = index + 1
            checkDivergence(stats)
        case .trainGenerator:
            explainPosition = 0
            finishStep(stats)
            if !hasDiverged {
                message = "(3) G is trained through D, D frozen, so that its fakes are called real: g_loss \(Fmt.fixed(stats.gLoss, 3)); "
                    + "the digits show the new G"
            }
        }
    }
}
