import Foundation
import GANFormats

/// Reads MNIST's gzip'd IDX files and checks that they really are 28×28 digit images.
public enum MNISTLoader {
    public static func loadTrainingImages(from folder: URL) throws -> MNISTImages {
        try loadImages(folder.appendingPathComponent("train-images-idx3-ubyte.gz"),
                       labels: folder.appendingPathComponent("train-labels-idx1-ubyte.gz"))
    }

    public static func loadTestImages(from folder: URL) throws -> MNISTImages {
        try loadImages(folder.appendingPathComponent("t10k-images-idx3-ubyte.gz"),
                       labels: folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
    }

    /// Labels are optional for the GAN (it never reads them); when the file is there it must
    /// agree with the images.
    public static func loadImages(_ imagesURL: URL, labels labelsURL: URL?) throws -> MNISTImages {
        let images = try IDXFile.read(gzipFile: imagesURL)
        let name = imagesURL.lastPathComponent
        guard images.dims.count == 3, images.dims[1] == MNISTImages.side, images.dims[2] == MNISTImages.side else {
            throw DataError("\(name): expected images of 28×28 pixels, found dimensions \(images.dims.map(String.init).joined(separator: "×"))")
        }
        var labels: [UInt8]?
        if let labelsURL, FileManager.default.fileExists(atPath: labelsURL.path) {
            let file = try IDXFile.read(gzipFile: labelsURL)
            guard file.dims.count == 1, file.dims[0] == images.dims[0] else {
                throw DataError("\(labelsURL.lastPathComponent): \(file.dims.first ?? 0) labels for \(images.dims[0]) images")
            }
            labels = file.data
        }
        return MNISTImages(pixels: images.data, count: images.dims[0], labels: labels)
    }
}
