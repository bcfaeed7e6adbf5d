import Dispatch

/// Splits a memory-bound elementwise pass (Adam) across the cores.
///
/// One core alone cannot pull enough bytes through the memory system for Adam's seven streams;
/// two can. Small passes stay on the calling thread, where a dispatch would cost more than it saves.
public enum ParallelLoop {
    /// Set to 1 for strictly single-threaded elementwise work.
    nonisolated(unsafe) public static var maxParts = 2
    public static let minimumElementsPerPart = 65_536

    public static func parts(for count: Int) -> Int {
        max(1, min(maxParts, count / minimumElementsPerPart))
    }

    /// Calls `body(0 ..< parts)`, concurrently when `parts > 1`. Each part must touch its own memory.
    public static func run(_ parts: Int, _ body: @Sendable (Int) -> Void) {
        if parts <= 1 {
            body(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: parts, execute: body)
        }
    }
}

/// Raw pointers handed to the parts of a `ParallelLoop`: each part touches a disjoint range,
/// which is what makes sharing them sound.
public struct DisjointPointers: @unchecked Sendable {
    public let pointers: [UnsafeMutablePointer<Float>]
    public init(_ pointers: UnsafeMutablePointer<Float>...) { self.pointers = pointers }
}
