import Foundation
import GANFormats
import GANTraining
import TensorBoardFormat

/// Writes the seed corpus, fuzz/corpus/<harness>/<name>, from gantop's own writers: small valid
/// files of every kind each reader accepts, and a few near misses. Run by hand when a format
/// changes (`swift run --package-path fuzz --scratch-path fuzz/.build-seeds make-seeds fuzz/corpus`);
/// the files are committed.
@main
enum MakeSeeds {
    static func main() throws {
        let root = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "fuzz/corpus")
        func write(_ harness: String, _ name: String, _ bytes: [UInt8]) throws {
            let folder = root.appendingPathComponent(harness)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(bytes).write(to: folder.appendingPathComponent(name))
        }

        let tensors: [(String, Tensor)] = [
            ("f32-2x3", Tensor(shape: [2, 3], floats: [1, -2, 0.5, .infinity, 0, 3e-38])),
            ("u8-4", Tensor(shape: [4], uint8s: [0, 1, 254, 255])),
            ("i64-scalar", Tensor(shape: [], int64s: [-7])),
            ("f32-empty", Tensor(shape: [0, 3], floats: [])),
        ]
        for (name, t) in tensors { try write("npy", name + ".npy", NPY.encode(t)) }
        // numpy's other spellings: a version 2.0 header, `<u1`, a shape without the trailing comma.
        try write("npy", "v2-u1.npy", npyFile(version: 2, dict: "{'descr': '<u1', 'fortran_order': False, 'shape': (2,), }", data: [7, 9]))
        try write("npy", "spaces.npy", npyFile(version: 1, dict: "{ 'shape' : (1, 2) , 'fortran_order' : False , 'descr' : '<i8' }", data: [UInt8](repeating: 1, count: 16)))

        try write("safetensors", "mixed.safetensors", SafeTensors(metadata: ["format": "pt", "note": "a \"quoted\" \\ value"],
                                                                  tensors: Dictionary(uniqueKeysWithValues: tensors)).encode())
        try write("safetensors", "one.safetensors", SafeTensors(tensors: ["w": Tensor(shape: [2, 2], floats: [1, 2, 3, 4])]).encode())
        try write("safetensors", "empty.safetensors", SafeTensors().encode())

        let idx = [("images-2x4x4", IDXFile(dims: [2, 4, 4], data: Array(0..<32))), ("labels-5", IDXFile(dims: [5], data: [1, 2, 3, 4, 5])),
                   ("mnist-like-1x28x28", IDXFile(dims: [1, 28, 28], data: (0..<784).map { UInt8($0 % 251) }))]
        for (name, file) in idx {
            try write("idx", name + ".idx", file.encode())
            try write("gzip-idx", name + ".idx.gz", Gzip.compress(file.encode()))
        }
        // Two gzip members (as `cat a.gz b.gz` makes) and zero padding after the member, both accepted.
        let labels = IDXFile(dims: [5], data: [1, 2, 3, 4, 5]).encode()
        try write("gzip-idx", "two-members.idx.gz", Gzip.compress(Array(labels[..<6])) + Gzip.compress(Array(labels[6...])))
        try write("gzip-idx", "zero-padded.idx.gz", Gzip.compress(labels) + [0, 0, 0, 0])
        // The harness's second mode: the IDX bytes themselves, which it gzips (see its comment).
        try write("gzip-idx", "plain-labels", [1] + labels)

        let images = [("gray-4x3", PNGImage(width: 4, height: 3, colorType: .gray, pixels: Array(0..<12).map { UInt8($0 * 20) })),
                      ("rgb-3x2", PNGImage(width: 3, height: 2, colorType: .rgb, pixels: Array(0..<18).map { UInt8($0 * 13) })),
                      ("gray-28x28", PNGImage(width: 28, height: 28, colorType: .gray, pixels: (0..<784).map { UInt8(($0 * 7) % 256) }))]
        for (name, image) in images {
            // The harness's modes (first byte): 0 as is, 1 with chunk CRCs repaired, 2 built from
            // IHDR fields and raw filtered rows.
            try write("png", name + ".png", [0] + image.encode())
            try write("png", name + "-crc-fixed", [1] + image.encode())
        }
        for filter: UInt8 in 0...4 {  // each row filter on a 3×2 RGB image's raw rows
            let ihdr: [UInt8] = [0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0]  // 3×2, 8-bit RGB
            var rows: [UInt8] = []
            for row in 0..<2 {
                rows.append(filter)
                for i in 0..<9 { rows.append(UInt8((i * 31 + row * 7) % 256)) }
            }
            try write("png", "raw-rgb-filter\(filter)", [2] + ihdr + rows)
        }

        let csv = ["header-only.csv": "step,d_loss,g_loss\n", "rows.csv": "step,d_loss,g_loss\n1,0.69,0.7\n2,0.6,0.8\n",
                   "cut-row.csv": "step,d_loss,g_loss\n1,0.69,0.7\n2,0.6", "crlf.csv": "step,d_loss,g_loss\r\n1,0.5,0.5\r\n",
                   "other-columns.csv": "step,loss\n1,0.5\n"]
        for (name, text) in csv { try write("csv-log", name, Array(text.utf8)) }
        try write("csv-log", "empty.csv", [])

        for (name, configure) in [("reference", { (_: inout GANConfiguration) in }),
                                  ("ema-ls-sgd", { (c: inout GANConfiguration) in
                                      c.generatorAverageDecay = 0.999; c.loss = .leastSquares; c.optimizer = .sgd
                                      c.learningRateAnnealing = LearningRateAnnealing(text: "1000:5000:0.5")
                                  })] {
            var configuration = GANConfiguration()
            configure(&configuration)
            configuration.batchSize = 8
            let gan = MNISTGAN(configuration: configuration, images: .synthetic(count: 16, state: 1), seed: 1)
            let gan1d = Gan1D(target: .bimodal, seed: 1)
            for _ in 0..<3 { gan.trainStep(); gan1d.trainStep() }
            let latents = DigitSampler.fixedLatents(count: 16, size: configuration.latentSize, seed: 1)
            let full = Checkpoint.make(gan: gan, latents: latents, extraTensors: gan1d.checkpointTensors(),
                                       extraMetadata: gan1d.checkpointMetadata)
            // Without the MNIST networks' 30 MB: the metadata, the latents and the 1-D GAN.
            let small = SafeTensors(metadata: full.metadata, tensors: full.tensors.filter { $0.key.contains("gan1d") || $0.key.hasPrefix("viz.") })
            try write("checkpoint", name + ".safetensors", small.encode())
        }
        try tensorBoardSeeds(write)
    }

    /// Event files: one gantop writes (scalars, a PNG image, text) and the two that the real
    /// `tensorboard`/Keras and PyTorch writers made for the tests; for the event harness, their
    /// records' data one by one. Both harnesses take a first byte saying in how many pieces.
    static func tensorBoardSeeds(_ write: (String, String, [UInt8]) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gantop-seeds-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = try EventFileWriter(directory: folder)
        writer.addScalar(tag: "loss/d", value: 0.69, step: 1, wallTime: 1)
        writer.addScalar(tag: "loss/g", value: 0.7, step: 1, wallTime: 1)
        let image = PNGImage(width: 4, height: 4, colorType: .gray, pixels: (0..<16).map { UInt8($0 * 16) })
        writer.addImage(tag: "samples", png: image.encode(), width: 4, height: 4, step: 2, colorspace: 1, wallTime: 2)
        writer.addText(tag: "config", text: "batch 128", step: 0, wallTime: 0)
        try writer.flush()
        var files = [("gantop", [UInt8](try Data(contentsOf: writer.url)))]
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../Tests/Fixtures/tensorboard-logdir").standardized
        for run in ["keras/train", "torch"] {
            let dir = fixtures.appendingPathComponent(run)
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.contains("tfevents") {
                files.append((run.replacingOccurrences(of: "/", with: "-"), [UInt8](try Data(contentsOf: dir.appendingPathComponent(name)))))
            }
        }
        for (name, bytes) in files {
            try write("tensorboard-file", name + ".tfevents", [0] + bytes)
            try write("tensorboard-file", name + "-in-3-pieces.tfevents", [2] + bytes)
            var reader = TFRecordReader(bytes: bytes)
            var index = 0
            while let range = try reader.next() {
                try write("tensorboard-event", "\(name)-record\(index)", [0] + Array(bytes[range]))
                index += 1
            }
        }
    }

    static func npyFile(version: UInt8, dict: String, data: [UInt8]) -> [UInt8] {
        let prefix = version == 1 ? 10 : 12
        let padding = (64 - (prefix + dict.utf8.count + 1) % 64) % 64
        let length = dict.utf8.count + padding + 1
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        for shift in stride(from: 0, to: version == 1 ? 16 : 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: length >> shift)) }
        return bytes + Array(dict.utf8) + [UInt8](repeating: 0x20, count: padding) + [0x0a] + data
    }
}
