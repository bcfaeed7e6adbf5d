#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// All trainable parameters of one network in one contiguous block, with their gradients
/// and the optimiser's moments in three parallel blocks of the same layout.
///
/// Contiguity is the point: Adam is then one vectorisable pass over four flat arrays, and a
/// checkpoint is a list of (name, offset, shape) entries into those arrays.
///
/// A weight may be stored in panels (`Entry.isPanelled`, see `PanelProducts`): its shape stays
/// the logical [out, in] and everything that crosses the set's boundary (`arrays(of:)`,
/// `load(_:into:block:)`, checkpoints) sees row-major data; only the products see the panels.
public final class ParameterSet {
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let offset: Int
        public let shape: [Int]
        /// Stored in 16-unit panels rather than row-major (same for all four blocks).
        public let isPanelled: Bool
        public var count: Int { shape.reduce(1, *) }
    }

    public let entries: [Entry]
    public let count: Int
    public let values: UnsafeMutablePointer<Float>
    public let grads: UnsafeMutablePointer<Float>
    /// Adam's first and second moments (unused by plain SGD, kept so switching costs nothing).
    public let firstMoment: UnsafeMutablePointer<Float>
    public let secondMoment: UnsafeMutablePointer<Float>

    /// - Parameter panelled: names of [out, in] weights to store in panels (out a multiple of 16).
    public init(shapes: [(name: String, shape: [Int])], panelled: Set<String> = []) {
        var entries: [Entry] = []
        var offset = 0
        for (name, shape) in shapes {
            let isPanelled = panelled.contains(name)
            precondition(!isPanelled || (shape.count == 2 && shape[0] % 16 == 0), "\(name) cannot be panelled")
            entries.append(Entry(name: name, offset: offset, shape: shape, isPanelled: isPanelled))
            offset += (shape.reduce(1, *) + 15) & ~15  // keep every tensor 64-byte aligned
        }
        self.entries = entries
        self.count = max(offset, 1)
        // calloc, not allocate + initialize: the zeros of a large block come from untouched pages,
        // so blocks a network never uses (a weight average's gradients and moments) cost no memory.
        var allocations: [UnsafeMutableRawPointer] = []
        func block() -> UnsafeMutablePointer<Float> {
            guard let raw = calloc(max(offset, 1) * 4 + 64, 1) else { fatalError("out of memory for \(offset) parameters") }
            allocations.append(raw)
            let aligned = raw.alignedUp(toMultipleOf: 64)   // every tensor starts on a cache line
            return aligned.bindMemory(to: Float.self, capacity: max(offset, 1))
        }
        values = block()
        grads = block()
        firstMoment = block()
        secondMoment = block()
        self.allocations = allocations
    }

    private let allocations: [UnsafeMutableRawPointer]

    deinit {
        for p in allocations { free(p) }
    }

    public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// The parameter's storage as a matrix view (1-D tensors become one row). For a panelled
    /// entry that is the panels, not [out, in]: use `array(_:of:)` for the logical values.
    public func value(_ e: Entry) -> Matrix { view(values, e) }
    public func grad(_ e: Entry) -> Matrix { view(grads, e) }

    private func view(_ block: UnsafeMutablePointer<Float>, _ e: Entry) -> Matrix {
        let rows = e.shape.count >= 2 ? e.shape[0] : 1
        return Matrix(base: block + e.offset, rows: rows, cols: e.count / rows)
    }

    public func zeroGrads() { grads.update(repeating: 0, count: count) }

    /// Copies of one block's tensors by name (checkpoints, tests).
    public func arrays(of block: Block) -> [(entry: Entry, data: [Float])] {
        entries.map { e in (e, array(e, of: block)) }
    }

    /// One tensor of `block`, row-major whatever its storage.
    public func array(_ e: Entry, of block: Block) -> [Float] {
        let p = pointer(block) + e.offset
        guard e.isPanelled else { return Array(UnsafeBufferPointer(start: p, count: e.count)) }
        return [Float](unsafeUninitializedCapacity: e.count) { buffer, initialised in
            PanelProducts.unpack(p, outputs: e.shape[0], inputs: e.shape[1], into: buffer.baseAddress!)
            initialised = e.count
        }
    }

    public enum Block: CaseIterable, Sendable { case values, grads, firstMoment, secondMoment }

    public func pointer(_ block: Block) -> UnsafeMutablePointer<Float> {
        switch block {
        case .values: values
        case .grads: grads
        case .firstMoment: firstMoment
        case .secondMoment: secondMoment
        }
    }

    /// Writes one tensor, given row-major (shape already checked by the caller).
    public func load(_ data: [Float], into e: Entry, block: Block) {
        precondition(data.count == e.count, "size mismatch loading \(e.name)")
        data.withUnsafeBufferPointer { src in
            if e.isPanelled {
                PanelProducts.pack(src.baseAddress!, outputs: e.shape[0], inputs: e.shape[1], into: pointer(block) + e.offset)
            } else {
                (pointer(block) + e.offset).update(from: src.baseAddress!, count: e.count)
            }
        }
    }

    /// True when every entry of `block` is finite: the cheap divergence check.
    public func allFinite(_ block: Block = .values) -> Bool {
        // NaN/Inf propagate through x·0. Eight lanes at a time: the scalar sum was one long chain
        // of dependent adds (3 ms for the MNIST GAN's three blocks, every 50 steps).
        let p = pointer(block)
        var acc = SIMD8<Float>(), i = 0
        while i + 8 <= count {
            acc += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self) * 0
            i += 8
        }
        var tail: Float = 0
        while i < count { tail += p[i] * 0; i += 1 }
        return acc.sum() + tail == 0
    }

    /// Weights and both optimiser moments finite. An absurd learning rate can overflow Adam's
    /// second moment to +Inf while weights and losses stay finite (the updates become 0): that
    /// is divergence too, and such a state must never be saved.
    public var stateIsFinite: Bool {
        allFinite(.values) && allFinite(.firstMoment) && allFinite(.secondMoment)
    }
}
