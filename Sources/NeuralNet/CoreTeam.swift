import CBLAS
import Foundation
import Synchronization

/// The calling thread plus one helper thread that stays warm between jobs: gantop's own
/// two-core parallelism for GEMMs and Adam.
///
/// Why not OpenBLAS's threads: after each GEMM its workers spin for a while, so any other
/// parallel pass (Adam, split across cores with Dispatch) found the second core busy spinning and
/// ran no faster than on one core; and a 64-row GEMM is too small for OpenBLAS to split well.
/// With OpenBLAS single-threaded and every product split here, both cores do all the work.
///
/// A job is cut into a few parts that both threads claim one at a time from a shared counter,
/// rather than into two fixed halves: when one thread is held up (the UI thread or another
/// process took its core for a while, or the host slowed its vCPU) the other claims the parts it
/// would have waited for, so a job never waits longer than one part for a stalled thread.
/// The helper spins briefly for the next job (a step issues one every few tens of µs), yields
/// while it spins so the UI thread still gets the core, and sleeps on a condition when idle.
public final class CoreTeam: @unchecked Sendable {
    /// The team every kernel uses; nil on one core or with `GANTOP_THREADS=1`.
    nonisolated(unsafe) public static var shared: CoreTeam? = CoreTeam.makeDefault()

    /// The job in progress, packed so that one compare-and-exchange claims a part of exactly
    /// that job: generation (high 32 bits) | part count (16 bits) | next unclaimed part (16 bits).
    /// A helper that woke for an older job can therefore never claim a part of a newer one.
    private let state = Atomic<UInt64>(0)
    /// Parts the helper finished in the current job (reset by the caller before publishing it).
    private let helperFinished = Atomic<Int>(0)
    private let sleeper = NSCondition()
    private let callers = NSLock()
    private var helperSleeping = false
    private var generation: UInt64 = 0
    /// The job of the current generation; written before `state` is released, read only after a
    /// part of that generation was claimed, so the atomics order the accesses.
    private var job: ((Int, Int) -> Void)?

    public static let maximumParts = 0xFFFF

    private static func makeDefault() -> CoreTeam? {
        let requested = Int(ProcessInfo.processInfo.environment["GANTOP_THREADS"] ?? "")
        let threads = requested ?? min(ProcessInfo.processInfo.activeProcessorCount, 2)
        // The team splits every product; OpenBLAS's spinning workers would only compete.
        openblas_set_num_threads(1)
        return threads >= 2 ? CoreTeam() : nil
    }

    private init() {
        let thread = Thread { [unowned self] in helperLoop() }
        thread.name = "gantop-core-team"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Calls `body(part)` once for every part in `0 ..< parts`, on the calling thread and the
    /// helper, whichever claims it first, and returns when all are done. Parts must touch
    /// disjoint memory. Callers from several threads take turns (uncontended in training).
    public func run(parts: Int, _ body: (Int) -> Void) {
        runWithWorker(parts: parts) { part, _ in body(part) }
    }

    /// `run(parts:)`, also telling each part which thread runs it (0: the caller, 1: the helper),
    /// for parts that need scratch memory of their own thread.
    public func runWithWorker(parts: Int, _ body: (_ part: Int, _ worker: Int) -> Void) {
        precondition((0 ... Self.maximumParts).contains(parts), "a team job has 0–\(Self.maximumParts) parts")
        guard parts > 1 else {
            if parts == 1 { body(0, 0) }
            return
        }
        callers.lock()
        defer { callers.unlock() }
        withoutActuallyEscaping(body) { body in
            generation = (generation &+ 1) & 0xFFFF_FFFF
            if generation == 0 { generation = 1 }  // 0 is the state before the first job
            let gen = generation
            job = body
            helperFinished.store(0, ordering: .relaxed)
            state.store(gen << 32 | UInt64(parts) << 16, ordering: .releasing)
            sleeper.lock()
            if helperSleeping { sleeper.signal() }
            sleeper.unlock()
            var mine = 0
            while let part = claim(gen) {
                body(part, 0)
                mine += 1
            }
            var spins = 0
            while helperFinished.load(ordering: .acquiring) != parts - mine {
                spins += 1
                if spins & 63 == 0 { sched_yield() }
            }
            job = nil
        }
    }

    /// The next unclaimed part of generation `gen`, or nil when that job has none left (or is over).
    private func claim(_ gen: UInt64) -> Int? {
        var current = state.load(ordering: .acquiring)
        while true {
            let next = current & 0xFFFF, parts = (current >> 16) & 0xFFFF
            guard current >> 32 == gen, next < parts else { return nil }
            let (exchanged, original) = state.compareExchange(expected: current, desired: current + 1,
                                                              ordering: .acquiringAndReleasing)
            if exchanged { return Int(next) }
            current = original
        }
    }

    private func helperLoop() {
        var seen: UInt64 = 0
        while true {
            var spins = 0
            while state.load(ordering: .acquiring) >> 32 == seen {
                spins += 1
                if spins < 4_000 { continue }
                if spins < 40_000 { sched_yield(); continue }
                sleeper.lock()
                helperSleeping = true
                while state.load(ordering: .acquiring) >> 32 == seen { sleeper.wait() }
                helperSleeping = false
                sleeper.unlock()
            }
            seen = state.load(ordering: .acquiring) >> 32
            while let part = claim(seen) {
                job?(part, 1)
                helperFinished.add(1, ordering: .releasing)
            }
        }
    }
}
