import XCTest
@testable import TensorBoardFormat

/// Event files written by the real `tensorboard` package, and ours read back by it.
final class TensorBoardInteropTests: XCTestCase {
    /// The fixture writer, also used to make Tests/Fixtures/tensorboard-logdir.
    static var writeScript: String {
        get throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            return try String(contentsOf: root.appendingPathComponent("scripts/tensorboard-fixtures.py"), encoding: .utf8)
        }
    }

    func testWeReadTheTensorBoardPackagesEventFiles() throws {
        try Python.requireTensorBoard()
        let dir = try TemporaryDirectory()
        let (status, output) = try Python.run(try Self.writeScript, arguments: [dir.url.path])
        XCTAssertEqual(status, 0, output)
        let runs = try discoverRuns(under: dir.url)
        XCTAssertEqual(runs.map(\.name), ["keras/train", "torch"])

        let keras = try runs[0].eventFiles().flatMap { try EventFileFollower(url: $0).poll() }
        XCTAssertEqual(keras.filter { $0.tag == "epoch_d_loss" }.map(\.value), (0..<5).map { .scalar(Double(Float(1.0 / Double($0 + 1)))) })
        XCTAssertEqual(keras.filter { $0.tag == "epoch_g_loss" }.map(\.step), [0, 1, 2, 3, 4])
        XCTAssertEqual(LossTagPicker.pick(tags: keras.map(\.tag), dTag: nil, gTag: nil).d, "epoch_d_loss")

        let torch = try runs[1].eventFiles().flatMap { try EventFileFollower(url: $0).poll() }
        XCTAssertEqual(torch.filter { $0.tag == "Loss/G/loss" }.map(\.value), [.scalar(0), .scalar(-1), .scalar(-2)])
        XCTAssertEqual(torch.filter { $0.tag == "Loss/D/loss" }.map(\.wallTime), [1000, 1001, 1002])
        XCTAssertEqual(torch.filter { $0.tag == "weights" }.map(\.value), [.histogram])

        guard case .image(let sample)? = torch.first(where: { $0.tag == "samples" })?.value else { return XCTFail("no samples image") }
        XCTAssertEqual([sample.width, sample.height, sample.colorspace], [10, 6, 3])
        let decoded = try decodeImage(sample.encoded)
        XCTAssertEqual(decoded.channels, 3)
        XCTAssertEqual(Array(decoded.pixels.prefix(6)), [0, 80, 160, 9, 89, 169])

        let tf2 = torch.filter { $0.tag.hasPrefix("tf2/gen") }
        XCTAssertEqual(tf2.map(\.tag), ["tf2/gen", "tf2/gen/1", "tf2/gen", "tf2/gen/1"])
        XCTAssertEqual(tf2.map(\.step), [10, 10, 11, 11])
        guard case .image(let grey) = tf2[3].value else { return XCTFail("not an image: \(tf2[3])") }
        XCTAssertEqual([grey.width, grey.height], [7, 3])
        let greys: [UInt8] = (0..<21).map { (i: Int) -> UInt8 in
            let x: Int = i % 7, y: Int = i / 7
            return UInt8(x * 9 + y * 5)
        }
        XCTAssertEqual(try decodeImage(grey.encoded), RGBImage(width: 7, height: 3, channels: 1, pixels: greys))
    }
}

extension TensorBoardInteropTests {
    static let readScript = #"""
import sys, io
import numpy as np
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
acc = EventAccumulator(sys.argv[1], size_guidance={"images": 0, "scalars": 0, "tensors": 0})
acc.Reload()
tags = acc.Tags()
print("scalars", sorted(tags["scalars"]))
print("images", sorted(tags["images"]))
print("tensors", sorted(tags["tensors"]))
for tag in sorted(tags["scalars"]):
    print(tag, [(e.step, round(e.value, 4)) for e in acc.Scalars(tag)])
for e in acc.Images("samples"):
    print("image", e.step, e.width, e.height, e.encoded_image_string[:4] == b"\x89PNG", len(e.encoded_image_string))
for e in acc.Tensors("hparams"):
    print("text", e.step, [s.decode() for s in e.tensor_proto.string_val])
print("plugin", acc.SummaryMetadata("hparams").plugin_data.plugin_name)
"""#

    func testTensorBoardReadsOurEventFiles() throws {
        try Python.requireTensorBoard()
        let dir = try TemporaryDirectory()
        let writer = try EventFileWriter(directory: dir.url)
        let grid = PNGImageFixture.gradient(width: 12, height: 8).encode()
        for step in Int64(0)..<3 {
            writer.addScalar(tag: "d_loss", value: 0.5 + Double(step), step: step)
            writer.addScalar(tag: "g_loss", value: 2.25, step: step)
        }
        writer.addImage(tag: "samples", png: grid, width: 12, height: 8, step: 2, colorspace: 1)
        writer.addText(tag: "hparams", text: "lr_D 2e-4", step: 0)
        writer.addText(tag: "hparams", text: "lr_D 1e-4", step: 2)
        try writer.flush()
        let (status, output) = try Python.run(Self.readScript, arguments: [writer.url.path])
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output, """
            scalars ['d_loss', 'g_loss']
            images ['samples']
            tensors ['hparams']
            d_loss [(0, 0.5), (1, 1.5), (2, 2.5)]
            g_loss [(0, 2.25), (1, 2.25), (2, 2.25)]
            image 2 12 8 True \(grid.count)
            text 0 ['lr_D 2e-4']
            text 2 ['lr_D 1e-4']
            plugin text

            """)
    }
}
