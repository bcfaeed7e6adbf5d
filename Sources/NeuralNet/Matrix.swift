/// A row-major Float32 matrix *view*: a pointer, a shape and nothing else.
///
/// Views never own memory. Storage is owned by a `FloatArena` (activations, workspaces) or a
/// `ParameterSet` (weights and their gradients), each allocated once, up front, so the training
/// step itself allocates nothing. A view is a plain value: slicing rows is free.
public struct Matrix {
    public let base: UnsafeMutablePointer<Float>
    public let rows: Int
    public let cols: Int

    @inlinable
    public init(base: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        self.base = base
        self.rows = rows
        self.cols = cols
    }

    @inlinable public var count: Int { rows * cols }

    @inlinable
    public subscript(row: Int, col: Int) -> Float {
        get { base[row * cols + col] }
        nonmutating set { base[row * cols + col] = newValue }
    }

    /// Rows `start ..< start + count`, sharing storage (row-major makes this contiguous).
    @inlinable
    public func rows(_ start: Int, count: Int) -> Matrix {
        precondition(start >= 0 && count >= 0 && start + count <= rows, "row range out of bounds")
        return Matrix(base: base + start * cols, rows: count, cols: cols)
    }

    /// The first `count` rows: a workspace sized for the largest batch serves smaller ones.
    @inlinable
    public func prefix(rows count: Int) -> Matrix { rows(0, count: count) }

    @inlinable
    public var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: base, count: count)
    }

    public func fill(_ value: Float) { buffer.update(repeating: value) }

    public func copy(from other: Matrix) {
        precondition(other.count == count, "shape mismatch in copy")
        base.update(from: other.base, count: count)
    }

    /// A copy of the contents as an array (for tests, snapshots and files; never in the hot loop).
    public func toArray() -> [Float] { Array(buffer) }
}

/// Owns one block of Float memory and hands out matrix views into it.
///
/// One allocation for all the buffers of a network keeps them close together and makes the
/// "no allocation in the training step" rule easy to keep: everything is carved out at init.
public final class FloatArena {
    private let storage: UnsafeMutablePointer<Float>
    public let capacity: Int
    private var used = 0

    public init(capacity: Int) {
        self.capacity = max(capacity, 1)
        // 64-byte alignment suits AVX loads and cache lines.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: self.capacity * 4, alignment: 64)
        storage = raw.bindMemory(to: Float.self, capacity: self.capacity)
        storage.initialize(repeating: 0, count: self.capacity)
    }

    deinit { UnsafeMutableRawPointer(storage).deallocate() }

    /// Carves a zeroed `rows × cols` matrix; rounds each block up to 16 floats to keep alignment.
    public func matrix(rows: Int, cols: Int) -> Matrix {
        let n = rows * cols
        let padded = (n + 15) & ~15
        precondition(used + padded <= capacity, "FloatArena exhausted: need \(used + padded), have \(capacity)")
        defer { used += padded }
        return Matrix(base: storage + used, rows: rows, cols: cols)
    }

    /// Floats an arena needs to hold matrices of these shapes (with the alignment padding).
    public static func capacity(for shapes: [(rows: Int, cols: Int)]) -> Int {
        shapes.reduce(0) { $0 + (($1.rows * $1.cols + 15) & ~15) }
    }
}
