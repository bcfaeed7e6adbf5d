import Foundation

/// Wall time per phase of the training step, accumulated over many steps: where the time goes.
public final class PhaseTimer {
    public enum Phase: Int, CaseIterable, Sendable {
        case generatorForward, realBatch, discriminatorUpdate, frozenDiscriminator, generatorUpdate, generatorAverage

        public var label: String {
            switch self {
            case .generatorForward: "G forward (noise → fakes)"
            case .realBatch: "real batch (bytes → [-1, 1])"
            case .discriminatorUpdate: "D forward + backward + Adam, 2B rows"
            case .frozenDiscriminator: "D forward + input gradient, B rows"
            case .generatorUpdate: "G backward + Adam"
            case .generatorAverage: "G weight average (tuned recipe)"
            }
        }
    }

    public private(set) var seconds = [Double](repeating: 0, count: Phase.allCases.count)
    private var last: UInt64 = 0

    public init() {}

    func start() { last = DispatchTime.now().uptimeNanoseconds }

    func lap(_ phase: Phase) {
        let now = DispatchTime.now().uptimeNanoseconds
        seconds[phase.rawValue] += Double(now - last) / 1e9
        last = now
    }

    public func reset() { seconds = seconds.map { _ in 0 } }
}
