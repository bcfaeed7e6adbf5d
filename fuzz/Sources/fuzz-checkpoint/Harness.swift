import FuzzSupport
import GANFormats
import GANTraining

/// The checkpoint loader on top of safetensors: the metadata a resume trusts (counts, seed, RNG
/// state, hyper-parameters), every network tensor's dtype, shape and finiteness, and the 1-D GAN's
/// part. A full MNIST checkpoint is 30 MB, too large a seed, so the corpus holds checkpoints with
/// complete metadata and the 1-D GAN's small tensors: the MNIST tensors' checks see their
/// "missing" and "wrong shape" paths.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Fuzz.bytes(data, size)
    if let (header, file) = Fuzz.accepted({ try Checkpoint.parse(bytes, name: "fuzz") }) {
        if header.step < 0 || header.epochPosition < 0 || header.dataImages < 0 || header.configuration.batchSize < 1 {
            fatalError("an accepted checkpoint has a negative count")
        }
        _ = Fuzz.accepted { try Checkpoint.latents(file, fileName: "fuzz") }
    }
    // The 1-D GAN is restored from whatever safetensors file the resume read.
    guard let file = Fuzz.accepted({ try SafeTensors.parse(bytes, name: "fuzz") }) else { return 0 }
    if let restored = Fuzz.accepted({ try Gan1D.restore(from: file, seed: 1, fileName: "fuzz") }), let gan = restored {
        if gan.step < 0 || gan.adamG.step < 0 || gan.adamD.step < 0 { fatalError("a restored 1-D GAN has a negative step count") }
    }
    return 0
}

@main
enum Harness {
    static func main() { Fuzz.main(fuzzOneInput) }
}
