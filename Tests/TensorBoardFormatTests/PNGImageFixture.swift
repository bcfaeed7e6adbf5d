import GANFormats

enum PNGImageFixture {
    static func gradient(width: Int, height: Int) -> PNGImage {
        PNGImage(width: width, height: height, colorType: .gray, pixels: (0..<(width * height)).map { UInt8(($0 * 7) % 256) })
    }
}
