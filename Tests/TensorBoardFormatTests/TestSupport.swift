import Foundation
import XCTest
@testable import TensorBoardFormat

/// A fresh directory under the system temporary directory, removed when released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("TensorBoardFormatTests-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}

/// Hand-built events, field by field, the way TF1, TF2 and PyTorch writers lay them out.
enum Events {
    static func event(step: Int64, wallTime: Double = 1_700_000_000.5, _ values: [(inout ProtoWriter) -> Void]) -> [UInt8] {
        var e = ProtoWriter()
        e.double(1, wallTime)
        e.int64(2, step)
        e.message(5) { summary in for v in values { summary.message(1, v) } }
        return e.bytes
    }

    static func fileVersion() -> [UInt8] {
        var e = ProtoWriter()
        e.double(1, 1_700_000_000)
        e.string(3, "brain.Event:2")
        return e.bytes
    }

    static func sessionStart(step: Int64) -> [UInt8] {
        var e = ProtoWriter()
        e.double(1, 1_700_000_000)
        e.int64(2, step)
        e.message(7) { log in log.varint(1, 1) }
        return e.bytes
    }

    /// PyTorch's add_scalar: simple_value.
    static func simple(_ tag: String, _ value: Float) -> (inout ProtoWriter) -> Void {
        { v in v.string(1, tag); v.float(2, value) }
    }

    static func plugin(_ name: String) -> (inout ProtoWriter) -> Void {
        { v in v.message(9) { m in m.message(1) { p in p.string(1, name) } } }
    }

    /// TF2's tf.summary.scalar: a rank-0 float tensor in tensor_content, the plugin on the first value only.
    static func tensorScalar(_ tag: String, _ value: Float, metadata: Bool) -> (inout ProtoWriter) -> Void {
        { v in
            v.string(1, tag)
            if metadata { plugin("scalars")(&v) }
            v.message(8) { t in
                t.varint(1, 1)
                t.message(2) { _ in }
                t.data(4, withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init))
            }
        }
    }

    static func doubleValScalar(_ tag: String, _ value: Double) -> (inout ProtoWriter) -> Void {
        { v in
            v.string(1, tag)
            plugin("scalars")(&v)
            v.message(8) { t in
                t.varint(1, 2)
                t.data(6, withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init))  // packed double_val
            }
        }
    }

    static func floatValScalar(_ tag: String, _ value: Float) -> (inout ProtoWriter) -> Void {
        { v in
            v.string(1, tag)
            v.message(9) { m in m.varint(4, 1) }  // DATA_CLASS_SCALAR, no plugin name
            v.message(8) { t in t.varint(1, 1); t.float(5, value) }  // unpacked float_val
        }
    }

    static func image(_ tag: String, png: [UInt8], width: Int, height: Int, colorspace: Int) -> (inout ProtoWriter) -> Void {
        { v in
            v.string(1, tag)
            v.message(4) { i in
                i.varint(1, UInt64(height)); i.varint(2, UInt64(width)); i.varint(3, UInt64(colorspace)); i.data(4, png)
            }
        }
    }

    /// TF2's tf.summary.image: a string tensor [width, height, png…].
    static func imageTensor(_ tag: String, pngs: [[UInt8]], width: Int, height: Int, metadata: Bool) -> (inout ProtoWriter) -> Void {
        { v in
            v.string(1, tag)
            if metadata { plugin("images")(&v) }
            v.message(8) { t in
                t.varint(1, 7)
                t.message(2) { s in s.message(2) { d in d.varint(1, UInt64(pngs.count + 2)) } }
                t.string(8, String(width))
                t.string(8, String(height))
                for png in pngs { t.data(8, png) }
            }
        }
    }

    static func histogram(_ tag: String) -> (inout ProtoWriter) -> Void {
        { v in v.string(1, tag); v.message(5) { h in h.double(1, 0); h.double(2, 1) } }
    }

    static func records(_ events: [[UInt8]]) -> [UInt8] { events.flatMap(TFRecordReader.frame) }
}

func write(_ bytes: [UInt8], to url: URL) throws { try Data(bytes).write(to: url) }

func append(_ bytes: [UInt8], to url: URL) throws {
    let handle = try FileHandle(forWritingTo: url)
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(bytes))
}

/// Runs Python 3 scripts for the interoperability tests.
enum Python {
    /// Skips the calling test when the `tensorboard` package is missing, except under CI
    /// (CI=true), where .ci/run installs it and its absence is a failure.
    static func requireTensorBoard(file: StaticString = #filePath, line: UInt = #line) throws {
        let (status, output) = try run("import tensorboard, numpy")
        guard status != 0 else { return }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            XCTFail("CI=true but python3 cannot import tensorboard and numpy (.ci/run installs them): \(output)", file: file, line: line)
            throw XCTSkip("failed above")
        }
        throw XCTSkip("python3 with the tensorboard package is not available: skipping (pip install tensorboard)")
    }

    static func run(_ script: String, arguments: [String] = []) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
