import FuzzSupport
import GANFormats

/// The safetensors parser (checkpoints, `sample --out`, the classifier in assets/).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    Fuzz.roundTrip(Fuzz.bytes(data, size), parse: { try SafeTensors.parse($0, name: "fuzz") }, encode: { $0.encode() })
    return 0
}

@main
enum Harness {
    static func main() { Fuzz.main(fuzzOneInput) }
}
