import CPNG
import GANFormats

/// Decoded pixels, ready to draw: grey or RGB, 8 bits per channel.
public struct RGBImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// 1 for grey, 3 for RGB.
    public var channels: Int
    /// Rows top to bottom, `channels` bytes per pixel.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}

/// Decoded images larger than this many pixels are refused rather than allocated.
let maxDecodedPixels = 64 << 20

/// Decodes any PNG a writer produces (grey, grey + alpha, RGB, RGBA, palette, 1–16 bits,
/// interlaced) with the system libpng. Alpha is composited on black; grey stays one channel.
///
/// libpng's simplified API does the conversions (palette and tRNS expansion, 16 → 8 bits with
/// sRGB rounding) and reports errors by return value, so no setjmp crosses into Swift.
public func decodeImage(_ png: [UInt8]) throws -> RGBImage {
    var image = png_image()
    let began = png.withUnsafeBytes { cpng_begin(&image, $0.baseAddress, $0.count) }
    guard began != 0 else { throw FormatError(file: "", "cannot decode image: \(message(image))") }
    let width = Int(image.width), height = Int(image.height)
    let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
    guard !overflow, pixels <= maxDecodedPixels else {
        png_image_free(&image)
        throw FormatError(file: "", "cannot decode image: \(width)×\(height) is too large")
    }
    let color = cpng_has_color(&image) != 0
    let alpha = cpng_has_alpha(&image) != 0
    // libpng takes 16-bit files for linear light and would gamma-encode them on the way to 8
    // bits; writers mean the values as they are. So 16-bit files are read as 16-bit (alpha
    // premultiplied, which is compositing on black) and scaled here.
    let sixteen = cpng_is_linear(&image) != 0
    cpng_choose_format(&image, color ? 1 : 0, alpha ? 1 : 0, sixteen ? 1 : 0)
    let stored = Int(cpng_channels(&image))
    let channels = color ? 3 : 1
    if sixteen {
        var buffer = [UInt16](repeating: 0, count: pixels * stored)
        let finished = buffer.withUnsafeMutableBytes { cpng_finish(&image, $0.baseAddress) }
        guard finished != 0 else { throw FormatError(file: "", "cannot decode image: \(message(image))") }
        var out = [UInt8](repeating: 0, count: pixels * channels)
        var o = 0
        for i in stride(from: 0, to: buffer.count, by: stored) {
            for c in 0..<channels {
                out[o] = UInt8((UInt32(buffer[i + c]) * 255 + 32767) / 65535)
                o += 1
            }
        }
        return RGBImage(width: width, height: height, channels: channels, pixels: out)
    }
    var buffer = [UInt8](repeating: 0, count: pixels * stored)
    let finished = buffer.withUnsafeMutableBytes { cpng_finish(&image, $0.baseAddress) }
    guard finished != 0 else { throw FormatError(file: "", "cannot decode image: \(message(image))") }
    guard alpha else { return RGBImage(width: width, height: height, channels: channels, pixels: buffer) }
    return RGBImage(width: width, height: height, channels: channels, pixels: compositeOnBlack(buffer, channels: channels))
}

/// Drops the alpha channel after scaling each colour by it (rounded), as drawn on black.
private func compositeOnBlack(_ buffer: [UInt8], channels: Int) -> [UInt8] {
    let stored = channels + 1
    var out = [UInt8](repeating: 0, count: buffer.count / stored * channels)
    var o = 0
    for i in stride(from: 0, to: buffer.count, by: stored) {
        let a = UInt32(buffer[i + channels])
        for c in 0..<channels {
            out[o] = UInt8((UInt32(buffer[i + c]) * a + 127) / 255)
            o += 1
        }
    }
    return out
}

private func message(_ image: png_image) -> String {
    var copy = image
    let text = String(cString: cpng_message(&copy))
    return text.isEmpty ? "not a PNG image" : text
}
