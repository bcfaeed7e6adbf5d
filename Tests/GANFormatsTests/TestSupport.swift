import Foundation
import XCTest
@testable import GANFormats

/// A fresh directory under the system temporary directory, removed when released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("GANFormatsTests-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        chmod(url.path, 0o755)  // in case a test made it read-only
        try? FileManager.default.removeItem(at: url)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Names in the directory, hidden ones included (temporary files are hidden).
    func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }
}

/// SplitMix64: tiny, fast and reproducible, so a failing fuzz case can be replayed by seed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) } }
}

/// Asserts that `body` throws a `FormatError` whose one-line description contains `fragment`.
func assertFormatError<T>(_ body: @autoclosure () throws -> T, _ fragment: String,
                          file: StaticString = #filePath, line: UInt = #line) {
    do {
        let value = try body()
        XCTFail("expected an error containing \"\(fragment)\", got \(value)", file: file, line: line)
    } catch let error as FormatError {
        XCTAssertTrue(error.description.contains(fragment), "\"\(error)\" does not contain \"\(fragment)\"", file: file, line: line)
        XCTAssertFalse(error.description.contains("\n"), "error is not one line: \(error)", file: file, line: line)
    } catch {
        XCTFail("expected a FormatError, got \(type(of: error)): \(error)", file: file, line: line)
    }
}

/// Runs Python 3 scripts for the interoperability tests.
enum Python {
    /// Skips the calling test (visibly) when python3 or numpy is missing.
    static func requireNumpy() throws {
        let (status, _) = try run("import numpy")
        if status != 0 { throw XCTSkip("python3 with numpy is not available: skipping the interoperability test") }
    }

    /// Runs `script` with `arguments` in `sys.argv[1...]`; returns the exit status and all output.
    static func run(_ script: String, arguments: [String] = []) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
