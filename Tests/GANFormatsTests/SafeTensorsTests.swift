import XCTest
@testable import GANFormats

final class SafeTensorsTests: XCTestCase {
    static let sample = SafeTensors(
        metadata: ["format": "pt", "step": "1200", "note": "quote \" backslash \\ newline \n ü"],
        tensors: [
            "g.w1": Tensor(shape: [2, 3], floats: [1, -2, 0.5, .infinity, -0, 3e-38]),
            "labels": Tensor(shape: [5], uint8s: [0, 1, 2, 3, 255]),
            "step": Tensor(shape: [], int64s: [-7]),
            "empty": Tensor(shape: [0, 4], floats: []),
            "weird \"name\"": Tensor(shape: [1], floats: [.nan]),
        ])

    /// A file with `json` as its header (padded) and `data` as its buffer.
    static func craft(_ json: String, _ data: [UInt8] = []) -> [UInt8] {
        var header = Array(json.utf8)
        header += repeatElement(0x20, count: (8 - header.count % 8) % 8)
        var bytes: [UInt8] = []
        Bytes.appendUInt64LE(UInt64(header.count), to: &bytes)
        return bytes + header + data
    }

    func testRoundTripWithMetadata() throws {
        let bytes = Self.sample.encode()
        let parsed = try SafeTensors.parse(bytes, name: "x.safetensors")
        XCTAssertEqual(parsed, Self.sample)
        XCTAssertEqual(parsed.tensors["g.w1"]?.floats?[2], 0.5)
        XCTAssertEqual(parsed.tensors["step"]?.int64s, [-7])
        XCTAssertEqual(parsed.tensors["labels"]?.uint8s, [0, 1, 2, 3, 255])
        XCTAssertNil(parsed.tensors["labels"]?.floats)
        XCTAssertEqual(parsed.tensors["empty"]?.floats, [])
        XCTAssertEqual(parsed.tensors["empty"]?.elementCount, 0)
        XCTAssertTrue(parsed.tensors["weird \"name\""]?.floats?[0].isNaN ?? false)
    }

    func testLayoutIsDeterministicPaddedAndAligned() throws {
        let bytes = Self.sample.encode()
        var reordered = SafeTensors(metadata: [:], tensors: [:])
        for key in Self.sample.tensors.keys.sorted().reversed() { reordered.tensors[key] = Self.sample.tensors[key] }
        for key in Self.sample.metadata.keys.sorted() { reordered.metadata[key] = Self.sample.metadata[key] }
        XCTAssertEqual(reordered.encode(), bytes)

        let headerLength = Int(Bytes.uint64LE(bytes, at: 0))
        XCTAssertEqual(headerLength % 8, 0)
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        XCTAssertTrue(header.hasPrefix("{\"__metadata__\":{\"format\":\"pt\","), header)
        XCTAssertTrue(header.contains("\"g.w1\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]}"), header)
        XCTAssertTrue(header.contains("\"step\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}"), "8-byte elements first")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(header.utf8)) as? [String: Any])
        for (name, tensor) in Self.sample.tensors {
            let offsets = try XCTUnwrap((json[name] as? [String: Any])?["data_offsets"] as? [Int])
            XCTAssertEqual(offsets[0] % tensor.dtype.size, 0, "\(name) is aligned")
        }
    }

    func testFileRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("checkpoint.safetensors")
        try Self.sample.write(to: url)
        XCTAssertEqual(try SafeTensors.read(from: url), Self.sample)
        XCTAssertEqual(try dir.contents(), ["checkpoint.safetensors"])
    }

    func testEveryTruncationIsAnError() {
        let bytes = Self.sample.encode()
        let headerEnd = 8 + Int(Bytes.uint64LE(bytes, at: 0))
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try SafeTensors.parse(Array(bytes.prefix(length)), name: "t")) { error in
                XCTAssert(error is FormatError, "prefix \(length): \(error)")
            }
        }
        assertFormatError(try SafeTensors.parse(Array(bytes.prefix(5)), name: "t"), "t: truncated: 5 bytes")
        assertFormatError(try SafeTensors.parse(Array(bytes.prefix(30)), name: "t"), "t: truncated: header length is")
        assertFormatError(try SafeTensors.parse(Array(bytes.prefix(headerEnd + 10)), name: "t"), "reach past the end")
    }

    func testStructuralErrors() {
        let f32 = "\"dtype\":\"F32\""
        let cases: [(String, [UInt8], String)] = [
            ("{not json}", [], "the header is not valid JSON"),
            ("[1, 2]", [], "not a JSON object"),
            ("{\"a\":{\(f32),\"shape\":[1]}}", [0, 0, 0, 0], "\"a\" has no \"data_offsets\""),
            ("{\"a\":{\(f32),\"shape\":[\"1\"],\"data_offsets\":[0,4]}}", [0, 0, 0, 0], "\"a\".shape[0] should be an integer"),
            ("{\"a\":{\(f32),\"shape\":[1],\"data_offsets\":[0,4.5]}}", [0, 0, 0, 0], "not valid JSON"),
            ("{\"a\":{\(f32),\"shape\":[1],\"data_offsets\":[0,8]}}", [0, 0, 0, 0], "data_offsets [0, 8] reach past the end of the 4-byte"),
            ("{\"a\":{\(f32),\"shape\":[1],\"data_offsets\":[4,0]}}", [0, 0, 0, 0], "are not a valid range"),
            ("{\"a\":{\(f32),\"shape\":[1],\"data_offsets\":[0]}}", [0, 0, 0, 0], "must be [begin, end]"),
            ("{\"a\":{\(f32),\"shape\":[2],\"data_offsets\":[0,4]}}", [0, 0, 0, 0], "shape [2] of F32 needs 8 bytes, data_offsets [0, 4] hold 4"),
            ("{\"a\":{\(f32),\"shape\":[-1],\"data_offsets\":[0,4]}}", [0, 0, 0, 0], "negative dimension"),
            ("{\"a\":{\(f32),\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", [0, 0, 0, 0], "is too large"),
            ("{\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", [0, 0, 0, 0], "unsupported dtype \"BF16\""),
            ("{\"a\":{\(f32),\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\(f32),\"shape\":[1],\"data_offsets\":[2,6]}}",
             [UInt8](repeating: 0, count: 6), "overlaps"),
            ("{\"a\":{\(f32),\"shape\":[1],\"data_offsets\":[4,8]}}", [UInt8](repeating: 0, count: 8), "4 unused bytes"),
            ("{\"a\":{\(f32),\"shape\":[1],\"data_offsets\":[0,4]}}", [UInt8](repeating: 0, count: 6), "2 bytes of trailing data"),
            ("{\"__metadata__\":{\"k\":1}}", [], "header: \"__metadata__\".k should be a string"),
        ]
        for (json, data, fragment) in cases {
            assertFormatError(try SafeTensors.parse(Self.craft(json, data), name: "bad.safetensors"), fragment)
        }
    }

    func testHugeHeaderLengthIsAnErrorNotAnAllocation() {
        for length: UInt64 in [1 << 40, .max, UInt64(SafeTensors.maxHeaderLength) + 1] {
            var bytes: [UInt8] = []
            Bytes.appendUInt64LE(length, to: &bytes)
            assertFormatError(try SafeTensors.parse(bytes + Array("{}      ".utf8), name: "h"), "over the limit")
        }
        var bytes: [UInt8] = []
        Bytes.appendUInt64LE(1000, to: &bytes)
        assertFormatError(try SafeTensors.parse(bytes + Array("{}      ".utf8), name: "h"), "only 8 follow")
    }

    func testEmptyFileWithNoTensors() throws {
        let empty = SafeTensors()
        XCTAssertEqual(try SafeTensors.parse(empty.encode(), name: "e"), empty)
        XCTAssertEqual(empty.encode(), Self.craft("{}"))
    }
}
