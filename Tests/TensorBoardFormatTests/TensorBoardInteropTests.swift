import XCTest
@testable import TensorBoardFormat

/// Event files written by the real `tensorboard` package, and ours read back by it.
final class TensorBoardInteropTests: XCTestCase {
    /// TF2-style scalars through tensorboard.summary.Writer; PyTorch-style records (simple_value,
    /// Summary.Image, histo) and TF2 image tensors built from TensorBoard's own protos and
    /// written by its EventFileWriter. Two runs, one nested.
    static let writeScript = #"""
import sys, os, struct, zlib
import numpy as np
from tensorboard.summary import Writer
from tensorboard.summary.writer.event_file_writer import EventFileWriter
from tensorboard.compat.proto.event_pb2 import Event
from tensorboard.compat.proto.summary_pb2 import Summary, SummaryMetadata, HistogramProto
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto

logdir = sys.argv[1]
w = Writer(os.path.join(logdir, "keras", "train"))
for step in range(5):
    w.add_scalar("epoch_d_loss", 1.0 / (step + 1), step=step)
    w.add_scalar("epoch_g_loss", 2.0 + step, step=step)
w.flush(); w.close()

def png(width, height, rgb):
    ch = 3 if rgb else 1
    rows = b"".join(b"\0" + bytes((x * 9 + y * 5 + c * 80) & 255 for x in range(width) for c in range(ch)) for y in range(height))
    def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2 if rgb else 0, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")

ew = EventFileWriter(os.path.join(logdir, "torch"))
for step in range(3):
    values = [Summary.Value(tag="Loss/D/loss", simple_value=0.5 + step), Summary.Value(tag="Loss/G/loss", simple_value=-step)]
    ew.add_event(Event(wall_time=1000.0 + step, step=step, summary=Summary(value=values)))
image = Summary.Image(height=6, width=10, colorspace=3, encoded_image_string=png(10, 6, True))
ew.add_event(Event(wall_time=2000.0, step=2, summary=Summary(value=[Summary.Value(tag="samples", image=image)])))
histo = HistogramProto(min=0, max=1, num=2, sum=1, sum_squares=1, bucket_limit=[1], bucket=[2])
ew.add_event(Event(wall_time=2001.0, step=2, summary=Summary(value=[Summary.Value(tag="weights", histo=histo)])))
for step in range(2):
    tensor = TensorProto(dtype=7, tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=4)]),
                         string_val=[b"7", b"3", png(7, 3, False), png(7, 3, False)])
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="images")) if step == 0 else None
    value = Summary.Value(tag="tf2/gen", tensor=tensor, metadata=meta)
    ew.add_event(Event(wall_time=3000.0, step=10 + step, summary=Summary(value=[value])))
ew.flush(); ew.close()
print("written")
"""#

    func testWeReadTheTensorBoardPackagesEventFiles() throws {
        try Python.requireTensorBoard()
        let dir = try TemporaryDirectory()
        let (status, output) = try Python.run(Self.writeScript, arguments: [dir.url.path])
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
