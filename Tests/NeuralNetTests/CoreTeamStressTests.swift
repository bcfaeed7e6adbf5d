import Foundation
import NeuralNet
import Synchronization
import XCTest

/// Hammers `CoreTeam.run` with tiny jobs while other threads compete for the cores, so the helper
/// is often preempted between seeing a new generation and claiming its half: the window of a lost
/// completion (the caller waiting forever for a helper that ran the job under an older generation).
/// Every run must return, and each part must run exactly once per run. Jobs have 2 to 6 parts,
/// claimed by whichever thread gets there first.
///
/// With the ordering of 9733e19 (claim flag reset before the generation was published) a
/// standalone copy of this loop hung 4 times out of 4 (after 21 to 488,097 runs); 3d057c1 passed 3 of 3.
final class CoreTeamStressTests: XCTestCase {
    func testManyTinyJobsUnderContentionNeverHang() throws {
        guard let team = CoreTeam.shared else { throw XCTSkip("no core team (one core or GANTOP_THREADS=1)") }
        let runs = 1_000_000
        let stop = Atomic<Bool>(false)
        // Three busy threads: with the caller and the helper that makes five on two cores.
        for _ in 0 ..< 3 {
            Thread {
                var x = 0
                while !stop.load(ordering: .relaxed) { x &+= 1; if x & 0xFFFF == 0 { sched_yield() } }
            }.start()
        }
        defer { stop.store(true, ordering: .relaxed) }
        let done = DispatchSemaphore(value: 0)
        let parts = Box()
        let completed = Atomic<Int>(0)
        Thread {
            for run in 0 ..< runs {
                team.run(parts: 2 + run % 5) { part in
                    // Uneven parts, as in a split GEMM with a slow helper.
                    var s = 0
                    for i in 0 ..< (part == 0 ? 50 : 300) { s &+= i }
                    parts.count[part] += 1 + (s & 0)  // separate Ints per part: no shared write
                }
                completed.store(run + 1, ordering: .relaxed)
            }
            done.signal()
        }.start()
        // A lost completion stops progress for good; a loaded machine only slows it. So the test
        // fails on 20 s without a single finished run (a run takes microseconds), not on total time.
        var finished = false, lastCount = -1, lastProgress = Date()
        while !finished && Date().timeIntervalSince(lastProgress) < 20 {
            finished = done.wait(timeout: .now() + 1) == .success
            let count = completed.load(ordering: .relaxed)
            if count != lastCount { (lastCount, lastProgress) = (count, Date()) }
        }
        XCTAssertTrue(finished, "CoreTeam.run hung (a lost completion) after \(lastCount) of \(runs) runs: \(parts.array) parts done")
        // Part p exists in the runs with more than p parts: 2 + run % 5 > p.
        let expected = (0 ..< 6).map { p in (0 ..< runs).filter { 2 + $0 % 5 > p }.count }
        if finished { XCTAssertEqual(parts.array, expected) }
    }

    func testEveryPartRunsOnceWhateverTheCount() throws {
        guard let team = CoreTeam.shared else { throw XCTSkip("no core team (one core or GANTOP_THREADS=1)") }
        for count in [0, 1, 2, 3, 7, 64, 1000] {
            let seen = Box(capacity: max(count, 1))
            team.run(parts: count) { seen.count[$0] += 1 }
            XCTAssertEqual(Array(UnsafeBufferPointer(start: seen.count, count: count)), Array(repeating: 1, count: count),
                           "\(count) parts")
        }
    }

    private final class Box: @unchecked Sendable {
        let count: UnsafeMutablePointer<Int>
        init(capacity: Int = 16) {
            count = .allocate(capacity: capacity)
            count.initialize(repeating: 0, count: capacity)
        }
        deinit { count.deallocate() }
        var array: [Int] { Array(UnsafeBufferPointer(start: count, count: 6)) }
    }
}
