import XCTest
@testable import GANFormats

final class AtomicFileTests: XCTestCase {
    struct Injected: Error {}

    func testWritesAndReplacesLeavingNoTemporaryFiles() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("checkpoint.bin")
        try AtomicFile.write([1, 2, 3], to: url)
        XCTAssertEqual(try BinaryFile.read(url), [1, 2, 3])
        try AtomicFile.write(Data([4, 5]), to: url)
        XCTAssertEqual(try BinaryFile.read(url), [4, 5])
        try AtomicFile.write([], to: url)
        XCTAssertEqual(try BinaryFile.read(url), [])
        XCTAssertEqual(try dir.contents(), ["checkpoint.bin"])
    }

    func testTemporaryNameIsHiddenAndInTheSameDirectory() {
        let url = URL(fileURLWithPath: "/runs/x/checkpoint.safetensors")
        let temp = AtomicFile.temporaryURL(for: url)
        XCTAssertEqual(temp.deletingLastPathComponent(), url.deletingLastPathComponent())
        XCTAssertTrue(temp.lastPathComponent.hasPrefix(".checkpoint.safetensors.tmp-\(getpid())-"), temp.path)
    }

    func testFailureBeforeRenameKeepsOldFileAndCleansUp() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("state")
        try AtomicFile.write([1, 1, 1], to: url)
        let big = [UInt8](repeating: 9, count: 1 << 20)
        XCTAssertThrowsError(try big.withUnsafeBytes {
            try AtomicFile.write($0, to: url, beforeRename: {
                XCTAssertEqual(try dir.contents().count, 2, "temporary file exists while writing")
                throw Injected()
            })
        }) { XCTAssert($0 is Injected) }
        XCTAssertEqual(try BinaryFile.read(url), [1, 1, 1])
        XCTAssertEqual(try dir.contents(), ["state"])
    }

    func testRenameFailureCleansUp() throws {
        let dir = try TemporaryDirectory()
        let target = dir.file("occupied")
        try Directory.create(target.appendingPathComponent("child"))
        XCTAssertThrowsError(try AtomicFile.write([1], to: target)) { error in
            XCTAssert(error is FileError)
            XCTAssertTrue("\(error)".hasPrefix("cannot write \(target.path): "), "\(error)")
        }
        XCTAssertEqual(try dir.contents(), ["occupied"])
    }

    func testMissingDirectory() throws {
        let dir = try TemporaryDirectory()
        let url = dir.file("nope/file")
        XCTAssertThrowsError(try AtomicFile.write([1], to: url)) {
            XCTAssertEqual("\($0)", "cannot write \(url.path): No such file or directory")
        }
    }

    func testReadOnlyDirectory() throws {
        try XCTSkipIf(geteuid() == 0, "running as root, which ignores directory permissions: skipping")
        let dir = try TemporaryDirectory()
        let url = dir.file("x.safetensors")
        try AtomicFile.write([7], to: url)
        chmod(dir.url.path, 0o555)
        defer { chmod(dir.url.path, 0o755) }
        XCTAssertThrowsError(try AtomicFile.write([8], to: url)) {
            XCTAssertEqual("\($0)", "cannot write \(url.path): Permission denied")
        }
        XCTAssertEqual(try BinaryFile.read(url), [7])
        XCTAssertEqual(try dir.contents(), ["x.safetensors"])
    }

    func testRelativePathsStayRelativeInMessages() throws {
        let dir = try TemporaryDirectory()
        let url = URL(fileURLWithPath: "missing-dir/x.bin", relativeTo: dir.url)
        XCTAssertThrowsError(try AtomicFile.write([1], to: url)) {
            XCTAssertEqual("\($0)", "cannot write missing-dir/x.bin: No such file or directory")
        }
    }

    func testDirectoryCreate() throws {
        let dir = try TemporaryDirectory()
        let nested = dir.file("runs/2024/a")
        try Directory.create(nested)
        try Directory.create(nested)  // existing is fine
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: nested.path, isDirectory: &isDirectory) && isDirectory.boolValue)

        try AtomicFile.write([1], to: dir.file("file"))
        XCTAssertThrowsError(try Directory.create(dir.file("file/sub"))) {
            XCTAssertEqual("\($0)", "cannot create directory \(dir.file("file/sub").path): \(dir.file("file").path) exists and is not a directory")
        }
    }

    func testBinaryFileErrors() throws {
        let dir = try TemporaryDirectory()
        XCTAssertThrowsError(try BinaryFile.read(dir.file("none"))) {
            XCTAssertEqual("\($0)", "cannot read \(dir.file("none").path): No such file or directory")
            XCTAssertEqual(($0 as? LocalizedError)?.errorDescription, "\($0)")
        }
        XCTAssertThrowsError(try BinaryFile.read(dir.url)) {
            XCTAssertEqual("\($0)", "cannot read \(dir.url.path): it is a directory")
        }
    }
}
