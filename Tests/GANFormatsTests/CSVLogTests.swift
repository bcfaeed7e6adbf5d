import XCTest
@testable import GANFormats

final class CSVLogTests: XCTestCase {
    func text(_ url: URL) throws -> String { String(decoding: try BinaryFile.read(url), as: UTF8.self) }

    func testHeaderRowsAndReopening() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("losses.csv")
        do {
            let log = try CSVLog(url: url, columns: ["step", "d_loss", "note"])
            try log.append([.int(1), .float(0.6931472), "a,b"])
            try log.append([2, .double(1e-7), .string("say \"hi\"")])
            XCTAssertEqual(try text(url), "step,d_loss,note\n1,0.6931472,\"a,b\"\n2,1e-07,\"say \"\"hi\"\"\"\n",
                           "each row is in the file as soon as append returns")
        }
        let reopened = try CSVLog(url: url, columns: ["step", "d_loss", "note"])
        try reopened.append([3, .float(.nan), .float(-.infinity)])
        XCTAssertEqual(try text(url).split(separator: "\n").last, "3,nan,-inf")
        XCTAssertEqual(try text(url).components(separatedBy: "step").count, 2, "header written once")
    }

    func testMismatchedHeaderIsRefused() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("log.csv")
        _ = try CSVLog(url: url, columns: ["a", "b"])
        assertFormatError(try CSVLog(url: url, columns: ["a", "b", "c"]),
                          "log.csv: existing header \"a,b\" differs from \"a,b,c\"")
    }

    func testPartialLastRowIsTerminated() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("log.csv")
        try AtomicFile.write(Array("a,b\n1,2\n3,".utf8), to: url)
        let log = try CSVLog(url: url, columns: ["a", "b"])
        try log.append([5, 6])
        XCTAssertEqual(try text(url), "a,b\n1,2\n3,\n5,6\n")
    }

    func testEmptyExistingFileGetsHeader() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("log.csv")
        try AtomicFile.write([], to: url)
        _ = try CSVLog(url: url, columns: ["x"])
        XCTAssertEqual(try text(url), "x\n")
    }

    func testUnwritableLocation() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("missing/log.csv")
        XCTAssertThrowsError(try CSVLog(url: url, columns: ["x"])) {
            XCTAssertEqual("\($0)", "cannot open \(url.path): No such file or directory")
        }
    }

    func testFloatsRoundTripAndThroughputIsHigh() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("fast.csv")
        let log = try CSVLog(url: url, columns: ["step", "d", "g", "t"])
        var random = SeededRandom(seed: 3)
        let values = (0..<5000).map { _ in Float.random(in: -10...10, using: &random) }
        let start = Date()
        for (i, v) in values.enumerated() { try log.append([.int(i), .float(v), .float(v / 3), .double(Double(i) * 0.1)]) }
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertLessThan(elapsed, 2, "5000 rows took \(elapsed) s")
        let lines = try text(url).split(separator: "\n").dropFirst()
        XCTAssertEqual(lines.count, values.count)
        for (line, v) in zip(lines, values) {
            XCTAssertEqual(Float(String(line.split(separator: ",")[1])), v)
        }
    }
}
