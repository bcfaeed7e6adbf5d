/// PNG's per-row filters (none, sub, up, average, Paeth), which turn smooth images into small
/// numbers that deflate compresses well.
enum PNGFilter {
    /// Filters every row with the filter whose output has the smallest sum of absolute values
    /// (the heuristic the PNG specification recommends); each row gets its filter-type byte.
    static func filter(_ pixels: [UInt8], rowBytes: Int, bytesPerPixel bpp: Int) -> [UInt8] {
        let height = pixels.count / rowBytes
        var out = [UInt8](repeating: 0, count: height * (rowBytes + 1))
        var scratch = [UInt8](repeating: 0, count: 5 * rowBytes)  // one candidate row per filter
        let zeros = [UInt8](repeating: 0, count: rowBytes)
        pixels.withUnsafeBufferPointer { px in
            zeros.withUnsafeBufferPointer { zero in
                scratch.withUnsafeMutableBufferPointer { candidates in
                    out.withUnsafeMutableBufferPointer { out in
                        for y in 0..<height {
                            let row = UnsafeBufferPointer(rebasing: px[(y * rowBytes)..<((y + 1) * rowBytes)])
                            let above = y == 0 ? zero : UnsafeBufferPointer(rebasing: px[((y - 1) * rowBytes)..<(y * rowBytes)])
                            var best = 0
                            var bestCost = Int.max
                            for type in 0..<5 {
                                let cost = filterRow(type, row: row, above: above, bpp: bpp, into: candidates.baseAddress! + type * rowBytes)
                                if cost < bestCost { (best, bestCost) = (type, cost) }
                            }
                            let target = y * (rowBytes + 1)
                            out[target] = UInt8(best)
                            for i in 0..<rowBytes { out[target + 1 + i] = candidates[best * rowBytes + i] }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Filters one row with `type`; returns the sum of the outputs read as signed bytes.
    private static func filterRow(_ type: Int, row: UnsafeBufferPointer<UInt8>, above: UnsafeBufferPointer<UInt8>,
                                  bpp: Int, into target: UnsafeMutablePointer<UInt8>) -> Int {
        var cost = 0
        for i in 0..<row.count {
            let a = i >= bpp ? row[i - bpp] : 0
            let c = i >= bpp ? above[i - bpp] : 0
            let value = row[i] &- predictor(type, a: a, b: above[i], c: c)
            target[i] = value
            cost += abs(Int(Int8(bitPattern: value)))
        }
        return cost
    }

    /// Undoes the filters of `height` rows of `rowBytes + 1` bytes each.
    /// Throws the problem as text when a row has an unknown filter type.
    static func unfilter(_ data: [UInt8], rowBytes: Int, height: Int, bytesPerPixel bpp: Int) throws -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: rowBytes * height)
        for y in 0..<height {
            let source = y * (rowBytes + 1)
            let type = Int(data[source])
            guard type < 5 else { throw PNGFilterError(row: y, type: data[source]) }
            let target = y * rowBytes
            for i in 0..<rowBytes {
                let a = i >= bpp ? pixels[target + i - bpp] : 0
                let b = y > 0 ? pixels[target - rowBytes + i] : 0
                let c = i >= bpp && y > 0 ? pixels[target - rowBytes + i - bpp] : 0
                pixels[target + i] = data[source + 1 + i] &+ predictor(type, a: a, b: b, c: c)
            }
        }
        return pixels
    }

    /// The value each filter predicts from the left (a), above (b) and upper-left (c) bytes.
    @inline(__always)
    static func predictor(_ type: Int, a: UInt8, b: UInt8, c: UInt8) -> UInt8 {
        switch type {
        case 1: return a
        case 2: return b
        case 3: return UInt8((Int(a) + Int(b)) / 2)
        case 4:
            let p = Int(a) + Int(b) - Int(c)
            let (pa, pb, pc) = (abs(p - Int(a)), abs(p - Int(b)), abs(p - Int(c)))
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
        default: return 0
        }
    }
}

struct PNGFilterError: Error {
    var row: Int
    var type: UInt8
}
