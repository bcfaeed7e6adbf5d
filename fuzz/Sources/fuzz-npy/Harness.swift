import FuzzSupport
import GANFormats

/// The .npy reader (header dictionary, dtype, shape, data size).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    Fuzz.roundTrip(Fuzz.bytes(data, size), parse: { try NPY.parse($0, name: "fuzz") }, encode: { NPY.encode($0) })
    return 0
}

@main
enum Harness {
    static func main() { Fuzz.main(fuzzOneInput) }
}
