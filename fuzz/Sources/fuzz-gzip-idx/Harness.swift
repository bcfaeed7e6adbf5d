import FuzzSupport
import GANFormats

/// gzip (GANFormats' zlib wrapper: members, zero padding, the trailer's size hint, truncation)
/// and then the IDX reader, as `IDXFile.read` takes MNIST's `.gz` files.
///
/// Input that starts with gzip's magic bytes is read as it is. Otherwise the first byte is a
/// recipe and the rest an IDX file, which the harness gzips by the recipe (one member or two,
/// split anywhere; zero padding after it or not): reading that must give exactly what reading
/// the plain IDX bytes gives, the same file or a refusal. That reaches the IDX checks through
/// gzip, which mutating compressed bytes (and their CRC) seldom does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = Fuzz.bytes(data, size)
    if Gzip.looksLikeGzip(input) {
        Fuzz.roundTrip(input, parse: { try IDXFile.parse(gzipped: $0, name: "fuzz") }, encode: { Gzip.compress($0.encode()) })
        return 0
    }
    guard let recipe = input.first else { return 0 }
    let plain = Array(input.dropFirst())
    var gzipped: [UInt8]
    if recipe & 1 == 0 {
        gzipped = Gzip.compress(plain, level: Int(recipe >> 4) % 10)
    } else {
        let split = Int(recipe >> 1) % (plain.count + 1)
        gzipped = Gzip.compress(Array(plain[..<split])) + Gzip.compress(Array(plain[split...]))
    }
    if recipe & 0x40 != 0 { gzipped += [0, 0, 0, 0] }
    let direct = Fuzz.accepted { try IDXFile.parse(plain, name: "fuzz") }
    let throughGzip = Fuzz.accepted { try IDXFile.parse(gzipped: gzipped, name: "fuzz") }
    if direct != throughGzip { fatalError("gzip changed the result: \(String(describing: direct)) vs \(String(describing: throughGzip))") }
    return 0
}

@main
enum Harness {
    static func main() { Fuzz.main(fuzzOneInput) }
}
