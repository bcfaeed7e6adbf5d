import XCTest
@testable import GANFormats

/// Seeded random mutations of valid files: every reader must return a value or a one-line
/// `FormatError`, never crash, trap on overflow or allocate absurdly. A crash kills the test
/// process, which is the failure this guards against; the seed makes it replayable.
final class FuzzTests: XCTestCase {
    static let iterations = 3000

    /// Applies one to three random edits of the kinds real corruption produces.
    static func mutate(_ input: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty:
                bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            case 1 where !bytes.isEmpty:
                bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 2:
                bytes.removeSubrange(at...)
            case 3:
                bytes.insert(contentsOf: random.bytes(Int.random(in: 1...16, using: &random)), at: at)
            case 4 where bytes.count >= at + 4:
                let interesting: [[UInt8]] = [[0, 0, 0, 0], [0xff, 0xff, 0xff, 0xff], [0x7f, 0xff, 0xff, 0xff], [0x80, 0, 0, 0], [0, 0, 0, 1]]
                bytes.replaceSubrange(at..<(at + 4), with: interesting[Int.random(in: 0..<interesting.count, using: &random)])
            case 5 where !bytes.isEmpty:
                let end = min(bytes.count, at + Int.random(in: 1...32, using: &random))
                bytes.removeSubrange(at..<end)
            default:
                break
            }
        }
        return bytes
    }

    /// Runs `parse` on mutations of `seeds`; successful parses must survive re-encoding.
    /// `fix`, when given, post-processes half the mutations (e.g. repairs checksums) so that
    /// they get past the first line of defence and reach the deeper checks.
    func fuzz<T: Equatable>(_ label: String, seeds: [[UInt8]], seed: UInt64,
                            fix: (([UInt8], inout SeededRandom) -> [UInt8])? = nil,
                            parse: ([UInt8]) throws -> T, encode: (T) -> [UInt8]) {
        var random = SeededRandom(seed: seed)
        var accepted = 0, rejected = 0
        for i in 0..<Self.iterations {
            var input = Self.mutate(seeds[i % seeds.count], &random)
            if let fix, Bool.random(using: &random) { input = fix(seeds[i % seeds.count], &random) }
            do {
                let value = try parse(input)
                accepted += 1
                XCTAssertEqual(try parse(encode(value)), value, "\(label) iteration \(i): re-encoding changed the value")
            } catch let error as FormatError {
                rejected += 1
                XCTAssertFalse(error.description.contains("\n"), "\(label) iteration \(i): \(error)")
                XCTAssertTrue(error.description.hasPrefix("fuzz: "), "\(label) iteration \(i): \(error)")
            } catch {
                XCTFail("\(label) iteration \(i): unexpected error type \(type(of: error)): \(error)")
            }
        }
        XCTAssertGreaterThan(rejected, Self.iterations / 2, "\(label): mutations should mostly be caught")
        print("fuzz \(label): \(accepted) accepted, \(rejected) rejected")
    }

    func testIDX() {
        let seeds = [IDXFile(dims: [2, 4, 4], data: Array(0..<32)).encode(), IDXFile(dims: [5], data: [1, 2, 3, 4, 5]).encode()]
        fuzz("IDX", seeds: seeds, seed: 11, parse: { try IDXFile.parse($0, name: "fuzz") }, encode: { $0.encode() })
    }

    func testSafeTensors() {
        let seeds = [SafeTensorsTests.sample.encode(),
                     SafeTensors(tensors: ["w": Tensor(shape: [2, 2], floats: [1, 2, 3, 4])]).encode()]
        fuzz("safetensors", seeds: seeds, seed: 12, fix: { bytes, random in
            let length = Int(Bytes.uint64LE(bytes, at: 0))
            let header = Self.replaceNumber(String(decoding: bytes[8..<(8 + length)], as: UTF8.self), &random)
            return SafeTensorsTests.craft(header, Array(bytes[(8 + length)...]))
        }, parse: { try SafeTensors.parse($0, name: "fuzz") }, encode: { $0.encode() })
    }

    func testNPY() {
        let seeds = [NPY.encode(Tensor(shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])),
                     NPY.encode(Tensor(shape: [4], int64s: [1, 2, 3, 4])), NPY.encode(Tensor(shape: [], uint8s: [9]))]
        fuzz("npy", seeds: seeds, seed: 13, fix: { bytes, random in
            let length = Int(Bytes.uint16LE(bytes, at: 8))
            let header = Self.replaceNumber(String(decoding: bytes[10..<(10 + length)], as: UTF8.self), &random)
            return NPYTests.file(header: header, data: Array(bytes[(10 + length)...]))
        }, parse: { try NPY.parse($0, name: "fuzz") }, encode: { NPY.encode($0) })
    }

    /// Half the PNG mutations get their CRCs repaired, or nearly all would stop at the CRC check.
    func testPNG() {
        let seeds = [PNGTests.gradient(6, 5, .gray).encode(), PNGTests.gradient(4, 3, .rgb).encode()]
        fuzz("PNG", seeds: seeds, seed: 14, fix: { bytes, random in Self.repairCRCs(Self.mutate(bytes, &random)) }, parse: { try PNGImage.parse($0, name: "fuzz") },
             encode: { $0.encode() })
    }

    func testGzip() {
        let seeds = [Gzip.compress(Array("the quick brown fox ".utf8) + Array(repeating: 3, count: 100)), ZlibTests.pythonGzip]
        var random = SeededRandom(seed: 15)
        for i in 0..<Self.iterations {
            do {
                _ = try Gzip.decompress(Self.mutate(seeds[i % 2], &random))
            } catch {
                XCTAssert(error is FormatError, "iteration \(i): \(error)")
            }
        }
    }

    /// Replaces one number in a text header with a hostile one, keeping the rest well formed.
    static func replaceNumber(_ text: String, _ random: inout SeededRandom) -> String {
        let chars = Array(text)
        let starts = chars.indices.filter { chars[$0].isNumber && ($0 == 0 || !chars[$0 - 1].isNumber) }
        guard let start = starts.randomElement(using: &random) else { return text }
        var end = start
        while end < chars.count, chars[end].isNumber { end += 1 }
        let hostile = ["0", "1", "3", "8", "24", "-1", "4294967296", "9223372036854775807", "9223372036854775808",
                       "99999999999999999999", "1e3", "2.5", "\"x\""]
        return String(chars[..<start]) + hostile[Int.random(in: 0..<hostile.count, using: &random)] + String(chars[end...])
    }

    /// Recomputes each chunk's CRC where the chunk framing is still intact.
    static func repairCRCs(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        var position = 8
        while position + 12 <= bytes.count {
            let length = Int(Bytes.uint32BE(bytes, at: position))
            guard length <= bytes.count - position - 12 else { break }
            let crc = CRC32.checksum(Array(bytes[(position + 4)..<(position + 8 + length)]))
            bytes.replaceSubrange((position + 8 + length)..<(position + 12 + length), with: {
                var b: [UInt8] = []
                Bytes.appendUInt32BE(crc, to: &b)
                return b
            }())
            position += 12 + length
        }
        return bytes
    }
}
