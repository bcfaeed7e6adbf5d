// The pieces of work an `MLP` backward shares out between the cores: a `Dense` layer's input
// gradient in strips, and its fused Adam update in tiles of the weight gradient.

/// Scratch for the tiled update: one tile per thread, each at least one row of the widest layer.
final class UpdateScratch {
    let capacity: Int
    let stride: Int
    let tiles: UnsafeMutablePointer<Float>
    private let arena: FloatArena

    init(capacity: Int, widestRow: Int) {
        self.capacity = capacity
        stride = (max(capacity, 16 * widestRow) + 15) & ~15   // at least one panel of units
        arena = FloatArena(capacity: FloatArena.capacity(for: [(2, stride)]))
        tiles = arena.matrix(rows: 2, cols: stride).base
    }
}

/// Work for the core team that `backward` runs in one job: an input gradient's strips, or a
/// layer's update tiles.
enum TeamWork {
    case strips(PanelProducts.InputGradientParts)
    case tiles(WeightTiles, Adam.Step)

    var count: Int {
        switch self {
        case .strips(let s): s.count
        case .tiles(let t, _): t.count
        }
    }

    func run(_ part: Int, _ worker: Int) {
        switch self {
        case .strips(let s): s.run(part, worker)
        case .tiles(let t, let step): t.update(part, worker: worker, step: step)
        }
    }
}

/// One layer's weight gradient in tiles of whole rows; what each part of a team job needs. Each
/// thread writes only its own scratch tile and its own rows of the parameters.
struct WeightTiles: @unchecked Sendable {
    let values, firstMoment, secondMoment: UnsafeMutablePointer<Float>  // at the layer's weights
    let delta, input, scratch: UnsafeMutablePointer<Float>
    let units, inputs, batch, deltaStride, rowsPerTile, scratchStride: Int
    /// Tiles 0 ..< headTiles have `rowsPerTile` units, the rest `tailRows` (the last maybe fewer).
    let headTiles, tailRows: Int
    /// Panel layout: tiles are whole pairs of panels (32 units) where they fit, and units
    /// first ..< first + rows are then still the contiguous floats from first · inputs on.
    let isPanelled: Bool

    init(parameters p: ParameterSet, weight w: ParameterSet.Entry, scratch: UpdateScratch, delta: Matrix, input: Matrix) {
        (values, firstMoment, secondMoment) = (p.values + w.offset, p.firstMoment + w.offset, p.secondMoment + w.offset)
        (self.delta, self.input, self.scratch, scratchStride) = (delta.base, input.base, scratch.tiles, scratch.stride)
        (units, inputs, batch, deltaStride) = (w.shape[0], w.shape[1], delta.rows, delta.cols)
        isPanelled = w.isPanelled
        var fitting = max(1, scratch.capacity / inputs)
        // At least two tiles when there are two cores and enough units (G's first layer fits one).
        if CoreTeam.shared != nil, units >= 32 { fitting = min(fitting, (units + 1) / 2) }
        rowsPerTile = isPanelled ? (fitting >= 32 ? fitting & ~31 : 16) : fitting
        // The last two tiles' units go in half tiles: the threads claim tiles as they finish,
        // so one that falls behind leaves the other waiting at most half a tile at the end.
        let whole = (units + rowsPerTile - 1) / rowsPerTile
        let half = (rowsPerTile / 2) / (isPanelled ? 32 : 1) * (isPanelled ? 32 : 1)
        if CoreTeam.shared != nil, half > 0, whole >= 3 {
            (headTiles, tailRows) = (units / rowsPerTile - 2, half)
        } else {
            (headTiles, tailRows) = (whole, rowsPerTile)
        }
    }

    var count: Int { headTiles + (units - min(headTiles * rowsPerTile, units) + tailRows - 1) / tailRows }

    /// Units first ..< first + rows of tile `tile`.
    func units(of tile: Int) -> (first: Int, rows: Int) {
        let first = tile < headTiles ? tile * rowsPerTile : headTiles * rowsPerTile + (tile - headTiles) * tailRows
        return (first, min(tile < headTiles ? rowsPerTile : tailRows, units - first))
    }

    func update(_ tile: Int, worker: Int, step: Adam.Step) {
        let (first, rows) = units(of: tile)
        let dW = scratch + worker * scratchStride
        if isPanelled {
            PanelProducts.weightGradient(delta, deltaStride, input, rows: batch, inputs: inputs,
                                         panels: first / 16 ..< (first + rows) / 16, into: dW, accumulate: false)
        } else {
            BLAS.raw(true, false, rows, inputs, batch, 1, delta + first, deltaStride, input, inputs, 0, dW, inputs)
        }
        let at = first * inputs
        step.apply(values: values + at, grads: dW, m: firstMoment + at, v: secondMoment + at, count: rows * inputs)
    }
}

