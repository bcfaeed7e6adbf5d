import GANView

/// All glyphs inside `rect` of `buffer`.
func glyphs(in buffer: CellBuffer, _ rect: Rect) -> [Unicode.Scalar] {
    var out: [Unicode.Scalar] = []
    for y in rect.y..<rect.maxY {
        for x in rect.x..<rect.maxX { out.append(buffer[x, y].glyph) }
    }
    return out
}

func isBraille(_ s: Unicode.Scalar) -> Bool { s.value > 0x2800 && s.value <= 0x28FF }
func isBlockElement(_ s: Unicode.Scalar) -> Bool { s.value >= 0x2581 && s.value <= 0x2588 }
func isRampInk(_ s: Unicode.Scalar) -> Bool { s != " " && DigitGrid.ramp.contains(s) }

/// A 28×28 image from a predicate on (x, y): true → ink (1), false → background (-1).
func image(_ ink: (Int, Int) -> Bool) -> [Float] {
    (0..<784).map { ink($0 % 28, $0 / 28) ? 1 : -1 }
}
