import XCTest
@testable import GANFormats

final class IDXTests: XCTestCase {
    static func header(_ type: UInt8, _ dims: [UInt32]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(dims.count)]
        for d in dims { Bytes.appendUInt32BE(d, to: &bytes) }
        return bytes
    }

    func testImagesAndLabelsRoundTrip() throws {
        let pixels = (0..<(3 * 28 * 28)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let images = IDXFile(dims: [3, 28, 28], data: pixels)
        let bytes = images.encode()
        XCTAssertEqual(Array(bytes.prefix(16)), Self.header(8, [3, 28, 28]))
        XCTAssertEqual(Array(bytes.prefix(4)), [0, 0, 8, 3], "magic 0x00000803")
        XCTAssertEqual(try IDXFile.parse(bytes, name: "x"), images)

        let labels = IDXFile(dims: [5], data: [0, 1, 2, 3, 9])
        XCTAssertEqual(Array(labels.encode().prefix(4)), [0, 0, 8, 1])
        XCTAssertEqual(try IDXFile.parse(labels.encode(), name: "y"), labels)
    }

    func testTruncationMessageNamesFileAndSizes() {
        let bytes = Self.header(8, [60000, 28, 28]) + [UInt8](repeating: 0, count: 1200)
        do {
            _ = try IDXFile.parse(bytes, name: "train-images-idx3-ubyte.gz")
            XCTFail("expected an error")
        } catch {
            XCTAssertEqual("\(error)",
                "train-images-idx3-ubyte.gz: truncated: header says 60000×28×28 = 47040000 bytes of data, file has 1200")
        }
    }

    func testInvalidFilesAreErrors() {
        let good = IDXFile(dims: [2, 3], data: [1, 2, 3, 4, 5, 6]).encode()
        assertFormatError(try IDXFile.parse(good + [9, 9], name: "f"), "f: 2 bytes of trailing data")
        assertFormatError(try IDXFile.parse(Array(good.dropLast()), name: "f"), "f: truncated")
        assertFormatError(try IDXFile.parse([0, 0], name: "f"), "too short for the 4-byte IDX magic")
        assertFormatError(try IDXFile.parse([0x1f, 0x8b, 8, 0], name: "f"), "not an IDX file")
        assertFormatError(try IDXFile.parse(Self.header(0x0d, [1]) + [0, 0, 0, 0], name: "f"), "unsupported IDX element type 0xd")
        assertFormatError(try IDXFile.parse(Self.header(8, []), name: "f"), "declares 0 dimensions")
        assertFormatError(try IDXFile.parse([0, 0, 8, 3, 0, 0, 0, 1], name: "f"), "the header needs 16 bytes")
        assertFormatError(try IDXFile.parse(Self.header(8, [10, 0, 28]), name: "f"), "dimension 2 of 10×0×28 is zero")
        assertFormatError(try IDXFile.parse(Self.header(8, [.max, .max, .max]), name: "f"), "more than the limit")
        assertFormatError(try IDXFile.parse(Self.header(8, [65536, 65536]), name: "f"), "more than the limit")
    }

    func testGzipFileFromDisk() throws {
        let dir = try TemporaryDirectory()
        let idx = IDXFile(dims: [2, 2, 2], data: [1, 2, 3, 4, 5, 6, 7, 8])
        let gz = dir.file("imgs.gz")
        try AtomicFile.write(Gzip.compress(idx.encode()), to: gz)
        XCTAssertEqual(try IDXFile.read(gzipFile: gz), idx)
        XCTAssertEqual(try IDXFile.read(from: gz), idx)

        let plain = dir.file("plain")
        try AtomicFile.write(idx.encode(), to: plain)
        XCTAssertEqual(try IDXFile.read(from: plain), idx)
        assertFormatError(try IDXFile.read(gzipFile: plain), "plain: not a gzip file (it starts with bytes 0 0 8 3")

        var corrupt = Gzip.compress(idx.encode())
        corrupt[12] ^= 0xff
        try AtomicFile.write(corrupt, to: gz)
        assertFormatError(try IDXFile.read(gzipFile: gz), "imgs.gz: gzip: ")

        try AtomicFile.write([], to: gz)
        assertFormatError(try IDXFile.read(gzipFile: gz), "imgs.gz: the file is empty")

        XCTAssertThrowsError(try IDXFile.read(gzipFile: dir.file("missing.gz"))) { error in
            XCTAssertEqual("\(error)", "cannot read \(dir.file("missing.gz").path): No such file or directory")
        }
    }

    /// The real MNIST test set, when the repository has it (found through the symlinks a
    /// throwaway package may use).
    func testRealMNISTTestSet() throws {
        let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("assets/mnist")
        let images = folder.appendingPathComponent("t10k-images-idx3-ubyte.gz")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: images.path), "no MNIST copy at \(folder.path)")
        let idx = try IDXFile.read(gzipFile: images)
        XCTAssertEqual(idx.dims, [10000, 28, 28])
        let labels = try IDXFile.read(gzipFile: folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        XCTAssertEqual(labels.dims, [10000])
        XCTAssertTrue(labels.data.allSatisfy { $0 <= 9 })
    }
}
