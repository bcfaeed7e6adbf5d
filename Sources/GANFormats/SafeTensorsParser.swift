import Foundation

extension SafeTensors {
    /// Parses and validates a safetensors file; `name` is used in error messages.
    ///
    /// Every size in the file is checked against the file's real length before anything is
    /// allocated, so a corrupt or hostile file produces an error, never a crash or a huge
    /// allocation.
    public static func parse(_ bytes: [UInt8], name: String) throws -> SafeTensors {
        func fail(_ problem: String) -> FormatError { FormatError(file: name, problem) }
        guard bytes.count >= 8 else {
            throw fail("truncated: \(bytes.count) bytes, too short for the 8-byte header length")
        }
        let declared = Bytes.uint64LE(bytes, at: 0)
        guard declared <= UInt64(maxHeaderLength) else {
            throw fail("header length \(declared) is over the limit of \(maxHeaderLength) bytes (not a safetensors file?)")
        }
        let headerLength = Int(declared)
        guard headerLength <= bytes.count - 8 else {
            throw fail("truncated: header length is \(headerLength) bytes, but only \(bytes.count - 8) follow")
        }
        guard headerLength >= 2, bytes[8] == UInt8(ascii: "{") else {
            throw fail("the header is not a JSON object (it must start with '{')")
        }
        let header: RawHeader
        do {
            header = try JSONDecoder().decode(RawHeader.self, from: Data(bytes[8..<8 + headerLength]))
        } catch let error as DecodingError {
            throw fail(RawHeader.describe(error))
        }

        let buffer = bytes[(8 + headerLength)...]
        var tensors: [String: Tensor] = [:]
        var extents: [(name: String, begin: Int, end: Int)] = []
        for (tensorName, info) in header.tensors {
            let (begin, end, dtype) = try info.validate(bufferSize: buffer.count) { fail("tensor \(JSON.quote(tensorName)): \($0)") }
            let start = buffer.startIndex
            tensors[tensorName] = Tensor(validated: dtype, shape: info.shape, bytes: Array(buffer[(start + begin)..<(start + end)]))
            extents.append((tensorName, begin, end))
        }
        try checkTiling(extents, bufferSize: buffer.count, fail: fail)
        return SafeTensors(metadata: header.metadata, tensors: tensors)
    }

    /// The data buffer must be covered exactly once: gaps or overlaps mean a corrupt file (the
    /// reference implementation refuses them too), and trailing bytes mean a mangled one.
    private static func checkTiling(_ extents: [(name: String, begin: Int, end: Int)], bufferSize: Int,
                                    fail: (String) -> FormatError) throws {
        var cursor = 0
        var previous = ""
        for e in extents.sorted(by: { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }) {
            if e.begin < cursor {
                throw fail("tensor \(JSON.quote(e.name)) overlaps tensor \(JSON.quote(previous)) in the data buffer")
            }
            if e.begin > cursor {
                throw fail("\(e.begin - cursor) unused bytes in the data buffer before tensor \(JSON.quote(e.name))")
            }
            cursor = e.end
            previous = e.name
        }
        if cursor != bufferSize {
            throw fail("\(bufferSize - cursor) bytes of trailing data after the last tensor")
        }
    }
}

/// The header as JSON says it, before validation.
private struct RawHeader: Decodable {
    var metadata: [String: String] = [:]
    var tensors: [(String, RawTensorInfo)] = []

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if key.stringValue == SafeTensors.metadataKey {
                metadata = try container.decode([String: String].self, forKey: key)
            } else {
                tensors.append((key.stringValue, try container.decode(RawTensorInfo.self, forKey: key)))
            }
        }
    }

    /// One line saying where in the header the problem is, e.g. `"w1".shape[1]`.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.enumerated().map { i, key in
                key.intValue.map { "[\($0)]" } ?? (i == 0 ? JSON.quote(key.stringValue) : ".\(key.stringValue)")
            }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "header: \(context.codingPath.isEmpty ? "top level" : path(context)) has no \"\(key.stringValue)\""
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let expected = type == String.self ? "a string" : type == Int.self ? "an integer" : "\(type)"
            return "header: \(path(context)) should be \(expected)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the header is not valid JSON" : "header: \(path(context)) is invalid"
        @unknown default:
            return "the header is not valid: \(error)"
        }
    }
}

private struct RawTensorInfo: Decodable {
    var dtype: String
    var shape: [Int]
    var dataOffsets: [Int]

    enum CodingKeys: String, CodingKey {
        case dtype, shape
        case dataOffsets = "data_offsets"
    }

    /// Checks the entry against itself and the buffer; returns its byte range and dtype.
    func validate(bufferSize: Int, fail: (String) -> FormatError) throws -> (Int, Int, DType) {
        guard let type = DType(rawValue: dtype) else {
            let known = DType.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail("unsupported dtype \(JSON.quote(dtype)) (supported: \(known))")
        }
        guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("negative dimension in shape \(shape)") }
        guard dataOffsets.count == 2 else {
            throw fail("data_offsets must be [begin, end], found \(dataOffsets.count) numbers")
        }
        let (begin, end) = (dataOffsets[0], dataOffsets[1])
        guard begin >= 0, begin <= end else { throw fail("data_offsets \(dataOffsets) are not a valid range") }
        guard end <= bufferSize else {
            throw fail("data_offsets \(dataOffsets) reach past the end of the \(bufferSize)-byte data buffer (truncated?)")
        }
        guard let count = Sizes.product(shape), let size = Sizes.bytes(count: count, size: type.size) else {
            throw fail("shape \(shape) is too large")
        }
        guard end - begin == size else {
            throw fail("shape \(shape) of \(type.rawValue) needs \(size) bytes, data_offsets \(dataOffsets) hold \(end - begin)")
        }
        return (begin, end, type)
    }
}
