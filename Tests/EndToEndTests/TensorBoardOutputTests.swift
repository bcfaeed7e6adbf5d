import Foundation
import XCTest

/// `gantop train --headless --tensorboard DIR`, read back by the real TensorBoard (its
/// EventAccumulator) and by `gantop inspect`.
final class TensorBoardOutputTests: XCTestCase {
    static let readScript = #"""
import sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
acc = EventAccumulator(sys.argv[1], size_guidance={"images": 0, "scalars": 0, "tensors": 0})
acc.Reload()
tags = acc.Tags()
print("scalars", " ".join(sorted(tags["scalars"])))
print("images", " ".join(tags["images"]), "tensors", " ".join(tags["tensors"]))
d = acc.Scalars("d_loss")
print("d_loss", len(d), d[0].step, d[-1].step, all(0 < e.value < 20 for e in d))
print("quality", [e.step for e in acc.Scalars("quality/mnist_score")])
for e in acc.Images("samples"):
    print("image", e.step, e.width, e.height, e.encoded_image_string[:8] == b"\x89PNG\r\n\x1a\n")
print("text", acc.Tensors("hyperparameters")[0].tensor_proto.string_val[0].decode().startswith("seed 1, batch 16"))
"""#

    func testTensorBoardReadsWhatGantopTrainWrites() throws {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import tensorboard"]
        check.standardError = Pipe()
        try check.run()
        check.waitUntilExit()
        if check.terminationStatus != 0 {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                return XCTFail("CI=true but python3 cannot import tensorboard (.ci/run installs it)")
            }
            throw XCTSkip("python3 with the tensorboard package is not available (pip install tensorboard)")
        }

        let work = try makeScratchDirectory("tensorboard-out")
        defer { try? FileManager.default.removeItem(at: work) }
        let data = FullScreenEndToEndTests.repositoryRoot.appendingPathComponent("assets/mnist").path
        let logdir = work.appendingPathComponent("tb")
        let train = try ChildProcess.run(try FullScreenEndToEndTests.gantopBinary().path,
                                         ["train", "--headless", "--data", data, "--limit-images", "256", "--batch-size", "16",
                                          "--quality-every", "260", "--seed", "1", "--steps", "520", "--log-every", "1000",
                                          "--out", work.appendingPathComponent("run").path, "--tensorboard", logdir.path],
                                         in: work, outputPrefix: work.appendingPathComponent("train"), timeout: 120)
        XCTAssertEqual(train.status, 0, train.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: logdir.path)
        XCTAssertEqual(files.count, 1, "\(files)")
        XCTAssertTrue(files[0].hasPrefix("events.out.tfevents.") && files[0].hasSuffix(".gantop"), files[0])

        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", Self.readScript, logdir.path]
        let pipe = Pipe()
        python.standardOutput = pipe
        python.standardError = pipe
        try python.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        XCTAssertEqual(python.terminationStatus, 0, output)
        XCTAssertEqual(output, """
            scalars d_fake d_loss d_real g_loss quality/class_entropy quality/classes_covered quality/confidence quality/frechet_distance quality/mnist_score
            images samples tensors hyperparameters
            d_loss 520 1 520 True
            quality [260, 520]
            image 500 122 122 True
            image 520 122 122 True
            text True

            """)

        let inspect = try ChildProcess.run(try FullScreenEndToEndTests.gantopBinary().path, ["inspect", logdir.path],
                                           in: work, outputPrefix: work.appendingPathComponent("inspect"), timeout: 20)
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(inspect.stdout.contains("D loss: d_loss   G loss: g_loss   samples: samples"), inspect.stdout)
    }
}
