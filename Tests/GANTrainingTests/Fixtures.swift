import Foundation
import GANTraining

/// The repository's own MNIST copy, found from this file's location (tests run from anywhere).
enum Fixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mnistFolder = repositoryRoot.appendingPathComponent("assets/mnist")

    /// Loaded once for the whole test process: decompressing 47 MB costs ~0.2 s in release, more in debug.
    nonisolated(unsafe) private static var cached: MNISTImages?
    private static let lock = NSLock()

    static func trainingImages() throws -> MNISTImages {
        lock.lock()
        defer { lock.unlock() }
        if let cached { return cached }
        let images = try MNISTLoader.loadTrainingImages(from: mnistFolder)
        cached = images
        return images
    }
}
