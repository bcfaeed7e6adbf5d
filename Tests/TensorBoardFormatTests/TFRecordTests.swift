import XCTest
@testable import TensorBoardFormat

final class TFRecordTests: XCTestCase {
    func testCRC32CMatchesTheStandardCheckValue() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([]), 0)
        // Long enough for the 8-byte loop and its tail, against a bit-at-a-time reference.
        let data = (0..<1001).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        XCTAssertEqual(CRC32C.checksum(data), ~crc)
    }

    func testFramesRoundTripAndStopAtAnIncompleteRecord() throws {
        let payloads: [[UInt8]] = [[], [1, 2, 3], Array(repeating: 7, count: 300)]
        let bytes = payloads.flatMap(TFRecordReader.frame)
        XCTAssertEqual(bytes.count, payloads.map { $0.count + 16 }.reduce(0, +))
        for cut in 0...bytes.count {
            var reader = TFRecordReader(bytes: Array(bytes.prefix(cut)))
            var got: [[UInt8]] = []
            while let r = try reader.next() { got.append(Array(reader.bytes[r])) }
            let complete = [16, 35, 351].filter { $0 <= cut }.count
            XCTAssertEqual(got, Array(payloads.prefix(complete)), "cut at \(cut)")
            XCTAssertEqual(reader.offset, [0, 16, 35, 351][complete])
        }
    }

    func testBadCRCsAreErrorsWithTheirOffset() {
        var bytes = TFRecordReader.frame([1, 2, 3]) + TFRecordReader.frame([4, 5, 6])
        bytes[19 + 13] ^= 1  // the second record's data
        var reader = TFRecordReader(bytes: bytes)
        XCTAssertEqual(try reader.next(), 12..<15)
        XCTAssertThrowsError(try reader.next()) { error in
            let e = error as! TFRecordError
            XCTAssertEqual(e.offset, 19)
            XCTAssertTrue(e.canSkip)
            XCTAssertEqual(e.description, "corrupt record at byte 19: the data's CRC does not match")
        }
        bytes[3] ^= 0x40  // the first record's length
        reader = TFRecordReader(bytes: bytes)
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertFalse((error as! TFRecordError).canSkip)
            XCTAssertTrue("\(error)".contains("length's CRC"))
        }
    }

    func testAHugeLengthWithAValidCRCIsRefused() {
        var header: [UInt8] = []
        let length = UInt64(1) << 40
        for k in 0..<8 { header.append(UInt8(truncatingIfNeeded: length >> UInt64(8 * k))) }
        let crc = CRC32C.maskedChecksum(header, 0..<8)
        for k in 0..<4 { header.append(UInt8(truncatingIfNeeded: crc >> UInt32(8 * k))) }
        var reader = TFRecordReader(bytes: header)
        XCTAssertThrowsError(try reader.next()) { XCTAssertTrue("\($0)".contains("more than the 256 MB limit"), "\($0)") }
    }
}
