import XCTest
@testable import TensorBoardFormat

final class RunDiscoveryTests: XCTestCase {
    func testEveryDirectoryHoldingEventFilesIsARunNamedByItsRelativePath() throws {
        let dir = try TemporaryDirectory()
        let fm = FileManager.default
        for path in ["a", "b/c/d", "b/empty", "e f"] {
            try fm.createDirectory(at: dir.file(path), withIntermediateDirectories: true)
        }
        for file in ["events.out.tfevents.1.h", "a/events.out.tfevents.2.h", "a/events.out.tfevents.1.h", "b/c/d/x.tfevents.y",
                     "b/empty/notes.txt", "e f/events.out.tfevents.3.h", "b/.events.out.tfevents.tmp"] {
            try write([], to: dir.file(file))
        }
        let runs = try discoverRuns(under: dir.url)
        XCTAssertEqual(runs.map(\.name), [".", "a", "b/c/d", "e f"])
        XCTAssertEqual(runs[1].url.standardizedFileURL.path, dir.file("a").standardizedFileURL.path)
        XCTAssertEqual(try runs[1].eventFiles().map(\.lastPathComponent), ["events.out.tfevents.1.h", "events.out.tfevents.2.h"])
    }

    func testASymlinkLoopIsVisitedOnce() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(at: dir.file("run"), withIntermediateDirectories: true)
        try write([], to: dir.file("run/events.out.tfevents.1.h"))
        try FileManager.default.createSymbolicLink(at: dir.file("run/loop"), withDestinationURL: dir.url)
        XCTAssertEqual(try discoverRuns(under: dir.url).map(\.name), ["run"])
    }

    func testMissingOrNotADirectory() throws {
        let dir = try TemporaryDirectory()
        assertError(try discoverRuns(under: dir.file("nope")), "cannot open log directory \(dir.file("nope").path): No such file or directory")
        try write([], to: dir.file("f"))
        assertError(try discoverRuns(under: dir.file("f")), "cannot open log directory \(dir.file("f").path): Not a directory")
        XCTAssertEqual(try discoverRuns(under: dir.url), [])
    }
}
