import Foundation
import FuzzSupport
import GANFormats
import TensorBoardFormat

/// An event file as `gantop watch`/`inspect` read it: `EventFileFollower` over TFRecord framing
/// (lengths, masked CRC32Cs, records cut off at the end, damaged records skipped or not), the
/// events in it, and every image value decoded with libpng. The first byte says in how many
/// pieces the file is written (1–4), with a poll after each, as when following a writer.
/// Every error must be a one-line `FormatError`; a file that is only appended to never resets.
private let path = (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
    + "/gantop-fuzz-events-\(getpid()).tfevents"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = Fuzz.bytes(data, size)
    guard let recipe = input.first else { return 0 }
    let file = Array(input.dropFirst())
    let pieces = Int(recipe % 4) + 1
    unlink(path)
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { fatalError("cannot create \(path)") }
    defer { close(fd); unlink(path) }
    let follower = EventFileFollower(path: path)
    var written = 0
    for piece in 1...pieces {
        let end = piece == pieces ? file.count : file.count * piece / pieces
        let n = file[written..<end].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard n == end - written else { fatalError("cannot write \(path)") }
        written = end
        // A corrupt record's error may come a poll late (after the events before it): poll twice.
        for _ in 0..<2 {
            guard let events = Fuzz.accepted({ try follower.poll() }) else { continue }
            for event in events {
                if case .image(let image) = event.value { _ = Fuzz.accepted { try decodeImage(image.encoded) } }
            }
        }
        for warning in follower.takeWarnings() where warning.contains("\n") { fatalError("a warning of more than one line: \(warning)") }
    }
    if follower.resets != 0 { fatalError("a file that was only appended to was read again from the start") }
    if follower.offset > file.count { fatalError("the follower consumed more than the file holds") }
    return 0
}

@main
enum Harness {
    static func main() { Fuzz.main(fuzzOneInput) }
}
