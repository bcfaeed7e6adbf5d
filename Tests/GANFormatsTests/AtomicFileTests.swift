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

    // MARK: - A second name: link(_:to:orCopy:)

    private func inode(_ url: URL) throws -> (inode: UInt64, links: UInt64) {
        var st = stat()
        guard stat(url.path, &st) == 0 else { throw FileError.posix("cannot stat", url.path, code: errno) }
        return (UInt64(st.st_ino), UInt64(st.st_nlink))
    }

    /// The latest checkpoint is a second name for the step's file: one inode, two links, and a
    /// later link replaces the name without touching the file it named before.
    func testLinkIsASecondNameForTheSameFile() throws {
        let dir = try TemporaryDirectory()
        let step1 = dir.file("checkpoint-step1"), step2 = dir.file("checkpoint-step2"), latest = dir.file("checkpoint-latest")
        try AtomicFile.write([1, 1], to: step1)
        XCTAssertTrue(try AtomicFile.link(latest, to: step1, orCopy: [1, 1]))
        XCTAssertEqual(try inode(latest).inode, try inode(step1).inode)
        XCTAssertEqual(try inode(latest).links, 2)

        try AtomicFile.write([2, 2, 2], to: step2)
        XCTAssertTrue(try AtomicFile.link(latest, to: step2, orCopy: [2, 2, 2]))
        XCTAssertEqual(try inode(latest).inode, try inode(step2).inode)
        XCTAssertEqual(try BinaryFile.read(latest), [2, 2, 2])
        XCTAssertEqual(try BinaryFile.read(step1), [1, 1], "the old step's file is untouched")
        XCTAssertEqual(try inode(step1).links, 1)
        XCTAssertEqual(try dir.contents(), ["checkpoint-latest", "checkpoint-step1", "checkpoint-step2"])

        // Linking again to the file it already names (rename(2) then does nothing): no temporary left.
        XCTAssertTrue(try AtomicFile.link(latest, to: step2, orCopy: [2, 2, 2]))
        XCTAssertEqual(try dir.contents(), ["checkpoint-latest", "checkpoint-step1", "checkpoint-step2"])
    }

    /// Where links cannot be made, the name is written as an atomic copy instead.
    func testLinkFallsBackToACopy() throws {
        let dir = try TemporaryDirectory()
        let step = dir.file("checkpoint-step7"), latest = dir.file("checkpoint-latest")
        try AtomicFile.write([9, 8, 7], to: latest)
        try AtomicFile.write([7, 7, 7, 7], to: step)
        var asked: [(String, String)] = []
        let linked = try AtomicFile.link(latest, to: step, orCopy: [7, 7, 7, 7]) { existing, new in
            asked.append((existing, new))
            errno = EPERM  // what FAT and some FUSE file systems answer
            return -1
        }
        XCTAssertFalse(linked)
        XCTAssertEqual(asked.count, 1)
        XCTAssertEqual(asked.first?.0, step.path)
        XCTAssertEqual(asked.first.map { URL(fileURLWithPath: $0.1).deletingLastPathComponent().path }, dir.url.path,
                       "the link is made beside the target, to be renamed over it")
        XCTAssertEqual(try BinaryFile.read(latest), [7, 7, 7, 7])
        XCTAssertNotEqual(try inode(latest).inode, try inode(step).inode, "a copy, not a link")
        XCTAssertEqual(try inode(step).links, 1)
        XCTAssertEqual(try dir.contents(), ["checkpoint-latest", "checkpoint-step7"])
    }

    /// A name that cannot be replaced (a directory in the way): a one-line error naming it, the
    /// temporary link removed, the file it was to name untouched.
    func testLinkRenameFailureCleansUp() throws {
        let dir = try TemporaryDirectory()
        let step = dir.file("checkpoint-step3"), latest = dir.file("checkpoint-latest")
        try AtomicFile.write([3], to: step)
        try Directory.create(latest.appendingPathComponent("child"))
        XCTAssertThrowsError(try AtomicFile.link(latest, to: step, orCopy: [3])) { error in
            XCTAssert(error is FileError)
            XCTAssertTrue("\(error)".hasPrefix("cannot write \(latest.path): "), "\(error)")
        }
        XCTAssertEqual(try dir.contents(), ["checkpoint-latest", "checkpoint-step3"])
        XCTAssertEqual(try inode(step).links, 1)
        XCTAssertEqual(try BinaryFile.read(step), [3])
    }
}
