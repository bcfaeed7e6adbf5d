import XCTest
@testable import GANFormats

final class ZlibTests: XCTestCase {
    /// `gzip.compress(b"gantop: hello, MNIST!\n" * 4, mtime=0)` from Python 3.
    static let pythonGzip: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x4b, 0x4f, 0xcc, 0x2b, 0xc9, 0x2f,
        0xb0, 0x52, 0xc8, 0x48, 0xcd, 0xc9, 0xc9, 0xd7, 0x51, 0xf0, 0xf5, 0xf3, 0x0c, 0x0e, 0x51, 0xe4,
        0x4a, 0xa7, 0x58, 0x14, 0x00, 0x82, 0xc1, 0x66, 0xdf, 0x58, 0x00, 0x00, 0x00,
    ]
    static let pythonText = Array(String(repeating: "gantop: hello, MNIST!\n", count: 4).utf8)

    func testPythonGzipDecompresses() throws {
        XCTAssertEqual(try Gzip.decompress(Self.pythonGzip), Self.pythonText)
    }

    func testGzipAndZlibRoundTrips() throws {
        var random = SeededRandom(seed: 1)
        let samples: [[UInt8]] = [[], [42], Self.pythonText, random.bytes(100_000),
                                  Array(repeating: 7, count: 1_000_000)]
        for data in samples {
            let gz = Gzip.compress(data)
            XCTAssertTrue(Gzip.looksLikeGzip(gz))
            XCTAssertEqual(try Gzip.decompress(gz), data)
            let z = Zlib.compress(data, level: 9)
            XCTAssertEqual(z.first, 0x78, "zlib streams start with 0x78 for a 32 KiB window")
            XCTAssertEqual(try Zlib.decompress(z), data)
            XCTAssertEqual(try Gzip.decompress(z), data, "Gzip.decompress detects zlib too")
        }
    }

    func testConcatenatedMembersAndZeroPaddingAreAccepted() throws {
        let a = Array("first ".utf8), b = Array("second".utf8)
        XCTAssertEqual(try Gzip.decompress(Gzip.compress(a) + Gzip.compress(b)), a + b)
        XCTAssertEqual(try Gzip.decompress(Gzip.compress(a) + [0, 0, 0, 0]), a)
    }

    func testTrailingGarbageIsAnError() {
        assertFormatError(try Gzip.decompress(Self.pythonGzip + [1, 2, 3]), "3 bytes of trailing data")
    }

    func testEveryTruncationIsAnError() {
        for length in 0..<Self.pythonGzip.count {
            XCTAssertThrowsError(try Gzip.decompress(Array(Self.pythonGzip.prefix(length))), "prefix \(length)")
        }
    }

    func testCorruptDataIsAnError() {
        var corrupt = Self.pythonGzip
        corrupt[20] ^= 0x40
        assertFormatError(try Gzip.decompress(corrupt), "corrupt compressed data")
        var badCRC = Self.pythonGzip
        badCRC[badCRC.count - 6] ^= 1
        assertFormatError(try Gzip.decompress(badCRC), "incorrect data check")
    }

    func testHostileISIZEDoesNotAllocateAndIsAnError() {
        var hostile = Self.pythonGzip
        hostile.replaceSubrange((hostile.count - 4)..., with: [0xff, 0xff, 0xff, 0xff])
        XCTAssertEqual(Gzip.sizeHint(hostile), Inflater.maxHint, "ISIZE hint is capped")
        XCTAssertLessThan(Inflater.boundedHint(Gzip.sizeHint(hostile), inputCount: hostile.count, limit: .max), 50_000,
                          "and bounded by deflate's maximum ratio")
        assertFormatError(try Gzip.decompress(hostile), "incorrect length check")
    }

    func testZlibLimitStopsLargeOutput() throws {
        let z = Zlib.compress(Array(repeating: 1, count: 10_000))
        assertFormatError(try Zlib.decompress(z, limit: 9_999), "longer than the expected 9999 bytes")
        XCTAssertEqual(try Zlib.decompress(z, limit: 10_000, sizeHint: 10_000).count, 10_000)
    }

    func testCRC32() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(CRC32.checksum([]), 0)
        var crc = CRC32()
        crc.update(Array("12345".utf8))
        crc.update(Array("6789".utf8))
        XCTAssertEqual(crc.value, 0xCBF4_3926)
    }
}
