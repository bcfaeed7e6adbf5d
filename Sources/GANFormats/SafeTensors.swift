import Foundation

/// A safetensors file (https://huggingface.co/docs/safetensors): named tensors plus string
/// metadata. gantop's checkpoints use it because PyTorch, numpy and Rust users can load it
/// with no code of ours, and because it carries no executable payload, unlike pickles.
///
/// Layout: a u64 little-endian header length N, N bytes of JSON header (padded with spaces
/// so the data starts 8-aligned), then the data buffer, which the tensors' `data_offsets`
/// (relative to the buffer's start) tile exactly.
public struct SafeTensors: Equatable, Sendable {
    public var metadata: [String: String]
    public var tensors: [String: Tensor]

    /// Reserved by the format for `metadata`; no tensor may have this name.
    public static let metadataKey = "__metadata__"
    /// The reference implementation's limit; also what stops a hostile length from allocating.
    public static let maxHeaderLength = 100_000_000

    public init(metadata: [String: String] = [:], tensors: [String: Tensor] = [:]) {
        self.metadata = metadata
        self.tensors = tensors
    }

    /// The file's bytes. Deterministic: the same contents always give the same bytes.
    public func encode() -> [UInt8] {
        precondition(tensors[Self.metadataKey] == nil, "a tensor cannot be named \(Self.metadataKey)")
        let byName = tensors.sorted { $0.key < $1.key }
        // Larger elements first, then by name, as the reference writer does: every tensor then
        // starts at a multiple of its element size, so readers may map it without copying.
        let layout = byName.sorted { a, b in
            let (sa, sb) = (a.value.dtype.size, b.value.dtype.size)
            return sa != sb ? sa > sb : a.key < b.key
        }
        var offsets: [String: (begin: Int, end: Int)] = [:]
        var end = 0
        for (name, tensor) in layout {
            offsets[name] = (end, end + tensor.bytes.count)
            end += tensor.bytes.count
        }

        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(JSON.quote($0.key)):\(JSON.quote($0.value))" }
            entries.append("\(JSON.quote(Self.metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        for (name, tensor) in byName {
            let range = offsets[name] ?? (0, 0)
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append("\(JSON.quote(name)):{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],"
                + "\"data_offsets\":[\(range.begin),\(range.end)]}")
        }
        let json = "{" + entries.joined(separator: ",") + "}"

        var header = Array(json.utf8)
        header += repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + end)
        Bytes.appendUInt64LE(UInt64(header.count), to: &bytes)
        bytes += header
        for (_, tensor) in layout { bytes += tensor.bytes }
        return bytes
    }

    /// Writes atomically: a checkpoint is either the old one or the new one, never half of each.
    public func write(to url: URL) throws {
        try AtomicFile.write(encode(), to: url)
    }

    public static func read(from url: URL) throws -> SafeTensors {
        try parse(BinaryFile.read(url), name: url.lastPathComponent)
    }
}

/// The little JSON writing gantop needs (safetensors headers, asciicast lines, JSON progress
/// lines): strings, escaped per RFC 8259, with every control character and DEL as `\u00XX`.
public enum JSON {
    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
