import FuzzSupport
import GANFormats
import TensorBoardFormat

/// One serialized `Event` (protobuf wire format: summaries, values, plugin metadata, tensors,
/// images) straight into `EventParser`, past the TFRecord CRCs that keep mutations of whole
/// files from reaching it. Then the same bytes framed as a record must read back as exactly
/// that record, and every image value is decoded with libpng. The parser keeps each tag's
/// plugin across events, so an input may hold several events: the first byte says how many
/// (1–4) pieces it is cut into, parsed in turn by one parser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = Fuzz.bytes(data, size)
    guard let recipe = input.first else { return 0 }
    let bytes = Array(input.dropFirst())
    let pieces = Int(recipe % 4) + 1
    var parser = EventParser()
    var start = 0
    for piece in 1...pieces {
        let end = piece == pieces ? bytes.count : bytes.count * piece / pieces
        let event = Array(bytes[start..<end])
        start = end
        guard let record = Fuzz.accepted({ try parser.parse(event) }) else { continue }
        for warning in record.warnings where warning.contains("\n") { fatalError("a warning of more than one line: \(warning)") }
        for e in record.events {
            if case .image(let image) = e.value { _ = Fuzz.accepted { try decodeImage(image.encoded) } }
        }
        let framed = TFRecordReader.frame(event)
        var reader = TFRecordReader(bytes: framed)
        do {
            guard let range = try reader.next(), Array(framed[range]) == event, try reader.next() == nil else {
                fatalError("a framed record did not read back as itself")
            }
        } catch {
            fatalError("a framed record did not read back: \(error)")
        }
    }
    return 0
}

@main
enum Harness {
    static func main() { Fuzz.main(fuzzOneInput) }
}
