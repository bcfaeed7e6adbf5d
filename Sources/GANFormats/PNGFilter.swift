/// PNG's per-row filters (none, sub, up, average, Paeth), which turn smooth images into small
/// numbers that deflate compresses well.
enum PNGFilter {
    /// Filters every row with the filter whose output has the smallest sum of absolute values
    /// (the heuristic the PNG specification recommends); each row gets its filter-type byte.
    static func filter(_ pixels: [UInt8], rowBytes: Int, bytesPerPixel bpp: Int) -> [UInt8] {
        let height = pixels.count / rowBytes
        var out: [UInt8] = []
        out.reserveCapacity(height * (rowBytes + 1))
        var candidates = [[UInt8]](repeating: [UInt8](repeating: 0, count: rowBytes), count: 5)
        let zeros = [UInt8](repeating: 0, count: rowBytes)
        for y in 0..<height {
            let row = Array(pixels[(y * rowBytes)..<((y + 1) * rowBytes)])
            let above = y == 0 ? zeros : Array(pixels[((y - 1) * rowBytes)..<(y * rowBytes)])
            var best = 0
            var bestCost = Int.max
            for type in 0..<5 {
                var cost = 0
                for i in 0..<rowBytes {
                    let a = i >= bpp ? row[i - bpp] : 0
                    let c = i >= bpp ? above[i - bpp] : 0
                    let value = row[i] &- predictor(type, a: a, b: above[i], c: c)
                    candidates[type][i] = value
                    cost += abs(Int(Int8(bitPattern: value)))
                }
                if cost < bestCost { (best, bestCost) = (type, cost) }
            }
            out.append(UInt8(best))
            out += candidates[best]
        }
        return out
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
