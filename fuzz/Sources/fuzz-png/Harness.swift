import FuzzSupport
import GANFormats

/// The PNG decoder (chunks, CRCs, IHDR, zlib'd IDAT, row filters). Random bytes rarely get past
/// a CRC or zlib's checksum, so the first byte picks how the rest is fed to it:
/// 0: as is; 1: with every chunk's CRC repaired first, so that mutations reach the chunk logic;
/// 2: 13 bytes of IHDR fields, then raw filtered rows, which the harness compresses and wraps in
/// a valid PNG, so that mutations reach the size checks and the row filters.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = Fuzz.bytes(data, size)
    guard let mode = input.first else { return 0 }
    let rest = Array(input.dropFirst())
    let png: [UInt8]
    switch mode % 3 {
    case 0: png = rest
    case 1: png = repairingCRCs(rest)
    default:
        let ihdr = Array(rest.prefix(13))
        png = signature + chunk("IHDR", ihdr) + chunk("IDAT", Zlib.compress(Array(rest.dropFirst(13)))) + chunk("IEND", [])
    }
    Fuzz.roundTrip(png, parse: { try PNGImage.parse($0, name: "fuzz") }, encode: { $0.encode() })
    return 0
}

private let signature: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

private func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }

private func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let body = Array(type.utf8) + data
    return bigEndian(UInt32(data.count)) + body + bigEndian(CRC32.checksum(body))
}

/// Walks the chunks (as far as their lengths fit) and writes each one's correct CRC.
private func repairingCRCs(_ png: [UInt8]) -> [UInt8] {
    var bytes = png
    var position = signature.count
    while bytes.count - position >= 12 {
        let length = Int(bytes[position]) << 24 | Int(bytes[position + 1]) << 16 | Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
        guard length <= bytes.count - position - 12 else { break }
        let crcAt = position + 8 + length
        bytes.replaceSubrange(crcAt..<(crcAt + 4), with: bigEndian(CRC32.checksum(Array(bytes[(position + 4)..<crcAt]))))
        position = crcAt + 4
    }
    return bytes
}

@main
enum Harness {
    static func main() { Fuzz.main(fuzzOneInput) }
}
