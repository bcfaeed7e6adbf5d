import CBLAS
import Foundation
import Synchronization

/// The calling thread plus one helper thread that stays warm between jobs: gantop's own
/// two-core parallelism for GEMMs and Adam.
///
/// Why not OpenBLAS's threads: after each GEMM its workers spin for a while, so any other
/// parallel pass (Adam, split across cores with Dispatch) found the second core busy spinning and
/// ran no faster than on one core; and a 64-row GEMM is too small for OpenBLAS to split well.
/// With OpenBLAS single-threaded and every product split in two here, both cores do all the work.
/// The helper spins briefly for the next job (a step issues one every few tens of µs), yields
/// while it spins so the UI thread still gets the core, and sleeps on a condition when idle.
public final class CoreTeam: @unchecked Sendable {
    /// The team every kernel uses; nil on one core or with `GANTOP_THREADS=1`.
    nonisolated(unsafe) public static var shared: CoreTeam? = CoreTeam.makeDefault()

    private let generation = Atomic<Int>(0)
    private let completed = Atomic<Int>(0)
    /// Whoever sets this first runs part 1: the helper if it is awake in time, else the caller
    /// itself once its own half is done. So a helper that the OS leaves unscheduled (the other
    /// core busy with another process) slows a product to one core's speed, never to a stall.
    /// Holds the generation whose part 1 is still unclaimed (0: none). Claiming is a
    /// compare-and-exchange of exactly that generation, so a helper that woke for an older job
    /// can never take a newer one by mistake.
    private let claimable = Atomic<Int>(0)
    private let sleeper = NSCondition()
    private let callers = NSLock()
    private var helperSleeping = false
    /// The job of the current generation; written before `generation` is released, read after
    /// it is acquired, so the atomics order the accesses.
    private var job: ((Int) -> Void)?

    private static func makeDefault() -> CoreTeam? {
        let requested = Int(ProcessInfo.processInfo.environment["GANTOP_THREADS"] ?? "")
        let threads = requested ?? min(ProcessInfo.processInfo.activeProcessorCount, 2)
        guard threads >= 2 else {
            openblas_set_num_threads(1)
            return nil
        }
        // The team splits every product in two; OpenBLAS's spinning workers would only compete.
        openblas_set_num_threads(1)
        return CoreTeam()
    }

    private init() {
        let thread = Thread { [unowned self] in helperLoop() }
        thread.name = "gantop-core-team"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Runs `body(0)` on the calling thread and `body(1)` on the helper, and returns when both
    /// are done. Callers from several threads take turns (the lock is uncontended in training).
    public func run(_ body: (Int) -> Void) {
        callers.lock()
        defer { callers.unlock() }
        withoutActuallyEscaping(body) { body in
            let next = generation.load(ordering: .relaxed) &+ 1  // only this thread writes it
            job = body
            claimable.store(next, ordering: .releasing)
            generation.store(next, ordering: .releasing)
            sleeper.lock()
            if helperSleeping { sleeper.signal() }
            sleeper.unlock()
            body(0)
            if claimable.compareExchange(expected: next, desired: 0, ordering: .acquiringAndReleasing).exchanged {
                body(1)  // the helper was not there yet: do its half here
            } else {
                var spins = 0
                while completed.load(ordering: .acquiring) != next {
                    spins += 1
                    if spins & 63 == 0 { sched_yield() }
                }
            }
            job = nil
        }
    }

    private func helperLoop() {
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins < 4_000 { continue }
                if spins < 40_000 { sched_yield(); continue }
                sleeper.lock()
                helperSleeping = true
                while generation.load(ordering: .acquiring) == seen { sleeper.wait() }
                helperSleeping = false
                sleeper.unlock()
            }
            seen = generation.load(ordering: .acquiring)
            guard claimable.compareExchange(expected: seen, desired: 0, ordering: .acquiringAndReleasing).exchanged else { continue }
            job?(1)
            completed.store(seen, ordering: .releasing)
        }
    }
}
