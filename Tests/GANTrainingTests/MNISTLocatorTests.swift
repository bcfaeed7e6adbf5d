import XCTest
@testable import GANTraining

final class MNISTLocatorTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gantop-locator-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    private func makeDataFolder(_ relative: String) throws -> URL {
        let url = scratch.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: url.appendingPathComponent("train-images-idx3-ubyte.gz").path, contents: Data())
        return url
    }

    func testExplicitFolderWinsAndMissingOneIsAnError() throws {
        let data = try makeDataFolder("mine")
        let found = try MNISTLocator.locate(explicit: data.path, environment: [:], currentDirectory: "/", executablePath: "/nonexistent/gantop")
        XCTAssertEqual(found.standardizedFileURL.path, data.path)
        XCTAssertThrowsError(try MNISTLocator.locate(explicit: scratch.appendingPathComponent("nope").path,
                                                     environment: [:], currentDirectory: "/", executablePath: "/x")) { error in
            XCTAssertTrue("\(error)".contains("--data"), "\(error)")
        }
    }

    func testEnvironmentThenWorkingDirectoryThenExecutable() throws {
        let env = try makeDataFolder("env")
        let cwd = try makeDataFolder("checkout/assets/mnist").deletingLastPathComponent().deletingLastPathComponent()
        XCTAssertEqual(try MNISTLocator.locate(explicit: nil, environment: ["GANTOP_DATA": env.path],
                                               currentDirectory: cwd.path, executablePath: "/x").standardizedFileURL.path, env.path)
        XCTAssertEqual(try MNISTLocator.locate(explicit: nil, environment: [:], currentDirectory: cwd.path,
                                               executablePath: "/x").path, cwd.appendingPathComponent("assets/mnist").path)
        // From elsewhere, the binary in .build/release finds the checkout's assets.
        let exe = cwd.appendingPathComponent(".build/release/gantop").path
        XCTAssertEqual(try MNISTLocator.locate(explicit: nil, environment: [:], currentDirectory: "/",
                                               executablePath: exe).path, cwd.appendingPathComponent("assets/mnist").path)
    }

    func testNothingFoundSaysWhatToDo() {
        XCTAssertThrowsError(try MNISTLocator.locate(explicit: nil, environment: [:], currentDirectory: scratch.path,
                                                     executablePath: scratch.appendingPathComponent("bin/gantop").path)) { error in
            XCTAssertTrue("\(error)".contains("--data"))
        }
    }
}
