import GANFormats

/// Writes PNGs of every kind a writer may produce, independently of the decoder under test:
/// any colour type and bit depth, each of the five filters in turn, Adam7 interlacing.
struct PNGBuilder {
    enum ColorType: UInt8 { case gray = 0, rgb = 2, palette = 3, grayAlpha = 4, rgba = 6 }

    var width: Int
    var height: Int
    var colorType: ColorType
    var bitDepth: Int
    var interlaced = false
    /// Per pixel, per channel (palette: one index), row-major.
    var samples: [[UInt16]]
    var palette: [(UInt8, UInt8, UInt8)] = []
    var paletteAlpha: [UInt8] = []

    var channels: Int { [.gray: 1, .rgb: 3, .palette: 1, .grayAlpha: 2, .rgba: 4][colorType]! }

    func encode() -> [UInt8] {
        var ihdr: [UInt8] = []
        append32(UInt32(width), &ihdr)
        append32(UInt32(height), &ihdr)
        ihdr += [UInt8(bitDepth), colorType.rawValue, 0, 0, interlaced ? 1 : 0]
        var raw: [UInt8] = []
        var filterType: UInt8 = 0
        let passes: [(Int, Int, Int, Int)] = interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)]
        for (x0, y0, dx, dy) in passes {
            let xs = Array(stride(from: x0, to: width, by: dx)), ys = Array(stride(from: y0, to: height, by: dy))
            guard !xs.isEmpty, !ys.isEmpty else { continue }
            var previous: [UInt8]?
            for y in ys {
                let row = pack(xs.map { samples[y * width + $0] })
                raw.append(filterType)
                raw += filter(row, previous: previous, type: filterType)
                previous = row
                filterType = (filterType + 1) % 5
            }
        }
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        chunk("IHDR", ihdr, &out)
        if !palette.isEmpty { chunk("PLTE", palette.flatMap { [$0.0, $0.1, $0.2] }, &out) }
        if !paletteAlpha.isEmpty { chunk("tRNS", paletteAlpha, &out) }
        let compressed = Zlib.compress(raw)
        let half = compressed.count / 2  // two IDAT chunks, as some writers split them
        chunk("IDAT", Array(compressed[..<half]), &out)
        chunk("IDAT", Array(compressed[half...]), &out)
        chunk("IEND", [], &out)
        return out
    }

    private func pack(_ pixels: [[UInt16]]) -> [UInt8] {
        if bitDepth == 16 { return pixels.flatMap { $0.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } } }
        if bitDepth == 8 { return pixels.flatMap { $0.map { UInt8($0) } } }
        var bytes: [UInt8] = []
        var bits = 0
        var current: UInt8 = 0
        for sample in pixels.flatMap({ $0 }) {
            current |= UInt8(sample) << UInt8(8 - bitDepth - bits)
            bits += bitDepth
            if bits == 8 { bytes.append(current); current = 0; bits = 0 }
        }
        if bits > 0 { bytes.append(current) }
        return bytes
    }

    private func filter(_ row: [UInt8], previous: [UInt8]?, type: UInt8) -> [UInt8] {
        let bpp = max(1, channels * bitDepth / 8)
        return row.indices.map { i in
            let a = i >= bpp ? Int(row[i - bpp]) : 0
            let b = previous.map { Int($0[i]) } ?? 0
            let c = i >= bpp ? previous.map { Int($0[i - bpp]) } ?? 0 : 0
            let predictor: Int
            switch type {
            case 0: predictor = 0
            case 1: predictor = a
            case 2: predictor = b
            case 3: predictor = (a + b) / 2
            default:
                let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
            }
            return UInt8(truncatingIfNeeded: Int(row[i]) - predictor)
        }
    }

    private func chunk(_ type: String, _ data: [UInt8], _ out: inout [UInt8]) {
        append32(UInt32(data.count), &out)
        let body = Array(type.utf8) + data
        out += body
        append32(CRC32.checksum(body), &out)
    }

    private func append32(_ v: UInt32, _ out: inout [UInt8]) {
        out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
}
