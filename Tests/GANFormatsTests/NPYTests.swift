import XCTest
@testable import GANFormats

final class NPYTests: XCTestCase {
    /// What numpy 2.4's `np.save` writes for `np.arange(6, dtype='<f4').reshape(2, 3) * 0.5 - 1`.
    static let numpyBytes: [UInt8] = {
        let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
        let header = dict + String(repeating: " ", count: 0x76 - dict.utf8.count - 1) + "\n"
        let data: [UInt8] = [0x00, 0x00, 0x80, 0xbf, 0x00, 0x00, 0x00, 0xbf, 0x00, 0x00, 0x00, 0x00,
                             0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0xc0, 0x3f]
        return [0x93] + Array("NUMPY".utf8) + [1, 0, 0x76, 0] + Array(header.utf8) + data
    }()

    static func file(header: String, version: UInt8 = 1, data: [UInt8]) -> [UInt8] {
        var bytes = [0x93] + Array("NUMPY".utf8) + [version, 0]
        Bytes.appendUInt16LE(UInt16(header.utf8.count), to: &bytes)
        return bytes + Array(header.utf8) + data
    }

    func testMatchesNumpyByteForByte() throws {
        let tensor = Tensor(shape: [2, 3], floats: [-1, -0.5, 0, 0.5, 1, 1.5])
        XCTAssertEqual(NPY.encode(tensor), Self.numpyBytes)
        XCTAssertEqual(try NPY.parse(Self.numpyBytes, name: "a.npy"), tensor)
    }

    func testRoundTripsAndAlignment() throws {
        let tensors = [
            Tensor(shape: [3, 28, 28], uint8s: (0..<2352).map { UInt8(truncatingIfNeeded: $0) }),
            Tensor(shape: [4], int64s: [0, -1, .max, .min]),
            Tensor(shape: [], floats: [42]),
            Tensor(shape: [0], floats: []),
            Tensor(shape: [2, 0, 5], uint8s: []),
        ]
        for tensor in tensors {
            let bytes = NPY.encode(tensor)
            XCTAssertEqual((10 + Int(Bytes.uint16LE(bytes, at: 8))) % 64, 0, "data is 64-byte aligned")
            XCTAssertEqual(bytes[bytes.count - tensor.bytes.count - 1], UInt8(ascii: "\n"))
            XCTAssertEqual(try NPY.parse(bytes, name: "r.npy"), tensor)
        }
        let header = String(decoding: NPY.encode(tensors[0]).prefix(128), as: UTF8.self)
        XCTAssertTrue(header.contains("{'descr': '|u1', 'fortran_order': False, 'shape': (3, 28, 28), }"), header)
        XCTAssertTrue(String(decoding: NPY.encode(tensors[1]).prefix(128), as: UTF8.self).contains("'shape': (4,)"))
        XCTAssertTrue(String(decoding: NPY.encode(tensors[2]).prefix(128), as: UTF8.self).contains("'shape': ()"))
    }

    func testFileRoundTrip() throws {
        let dir = try TemporaryDirectory()
        let tensor = Tensor(shape: [2, 2], floats: [1, 2, 3, 4])
        try NPY.write(tensor, to: dir.file("w.npy"))
        XCTAssertEqual(try NPY.read(from: dir.file("w.npy")), tensor)
    }

    func testHeaderVariantsNumpyMayWrite() throws {
        let data: [UInt8] = [1, 2, 3]
        let variants = [
            "{\"descr\": \"<u1\", \"fortran_order\": False, \"shape\": (3,)}\n",
            "{'shape': (3L,), 'fortran_order': False, 'descr': '|u1'}   \n",
            "{'descr':'u1','fortran_order':False,'shape':(3,),}",
        ]
        for header in variants {
            XCTAssertEqual(try NPY.parse(Self.file(header: header, data: data), name: "v").uint8s, data, header)
        }
        var v2 = [0x93] + Array("NUMPY".utf8) + [2, 0]
        let header = "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }\n"
        v2 += [UInt8(header.utf8.count), 0, 0, 0] + Array(header.utf8) + data
        XCTAssertEqual(try NPY.parse(v2, name: "v2").uint8s, data)
    }

    func testInvalidFilesAreErrors() {
        let ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n"
        let eight = [UInt8](repeating: 0, count: 8)
        assertFormatError(try NPY.parse(Array(Self.numpyBytes.prefix(9)), name: "n"), "n: truncated")
        assertFormatError(try NPY.parse(Array("PK\u{3}\u{4}hello world".utf8), name: "n"), "not an .npy file")
        assertFormatError(try NPY.parse(Self.file(header: ok, version: 9, data: eight), name: "n"), "unsupported .npy version 9.0")
        assertFormatError(try NPY.parse(Self.file(header: ok, data: [0, 0, 0]), name: "n"), "truncated: shape [2] of '<f4' needs 8 bytes, file has 3")
        assertFormatError(try NPY.parse(Self.file(header: ok, data: eight + [1]), name: "n"), "1 bytes of trailing data")
        assertFormatError(try NPY.parse(Self.file(header: ok.replacingOccurrences(of: "False", with: "True"), data: eight), name: "n"), "Fortran-order")
        assertFormatError(try NPY.parse(Self.file(header: ok.replacingOccurrences(of: "<f4", with: ">f4"), data: eight), name: "n"), "big-endian")
        assertFormatError(try NPY.parse(Self.file(header: ok.replacingOccurrences(of: "<f4", with: "<c16"), data: eight), name: "n"), "unsupported dtype '<c16'")
        assertFormatError(try NPY.parse(Self.file(header: "{'descr': '<f4', 'shape': (2,)}", data: eight), name: "n"), "keys are")
        assertFormatError(try NPY.parse(Self.file(header: "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", data: eight), name: "n"), "'fortran_order' is not True or False")
        assertFormatError(try NPY.parse(Self.file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", data: eight), name: "n"), "bad header")
        assertFormatError(try NPY.parse(Self.file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", data: eight), name: "n"), "integer too large")
        assertFormatError(try NPY.parse(Self.file(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}", data: eight), name: "n"), "is too large")
        var long = Self.file(header: ok, data: eight)
        long[8] = 0xff
        assertFormatError(try NPY.parse(long, name: "n"), "truncated: header length is 255 bytes")
        for length in 0..<Self.numpyBytes.count {
            XCTAssertThrowsError(try NPY.parse(Array(Self.numpyBytes.prefix(length)), name: "p"), "prefix \(length)")
        }
    }
}
