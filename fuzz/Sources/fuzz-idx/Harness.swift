import FuzzSupport
import GANFormats

/// The uncompressed IDX reader (MNIST's images and labels once gunzipped).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    Fuzz.roundTrip(Fuzz.bytes(data, size), parse: { try IDXFile.parse($0, name: "fuzz") }, encode: { $0.encode() })
    return 0
}

@main
enum Harness {
    static func main() { Fuzz.main(fuzzOneInput) }
}
