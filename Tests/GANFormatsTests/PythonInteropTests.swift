import XCTest
@testable import GANFormats

/// Checks our files with an independent reader: Python 3 with numpy, plus a few lines of
/// struct/json/zlib parsing of its own (the safetensors and PNG packages are not assumed).
final class PythonInteropTests: XCTestCase {
    static let floats = (0..<60).map { Float($0) * 0.25 - 7 }
    static let bytes = (0..<(2 * 28 * 28)).map { UInt8($0 % 256) }
    static let int64s: [Int64] = [0, -1, .max, .min]

    static let checkScript = #"""
import json, struct, sys, zlib, os
import numpy as np
d = sys.argv[1]
def path(n): return os.path.join(d, n)
floats = (np.arange(60, dtype=np.float32) * 0.25 - 7).reshape(3, 4, 5)
u8 = (np.arange(2 * 28 * 28) % 256).astype(np.uint8).reshape(2, 28, 28)
i64 = np.array([0, -1, 2**63 - 1, -2**63], dtype=np.int64)

for name, want in [("f32.npy", floats), ("u8.npy", u8), ("i64.npy", i64), ("scalar.npy", np.float32(42.5))]:
    got = np.load(path(name))
    assert got.dtype == np.asarray(want).dtype and got.shape == np.shape(want), (name, got.dtype, got.shape)
    assert np.array_equal(got, want), name
    raw = open(path(name), "rb").read()
    assert (10 + struct.unpack("<H", raw[8:10])[0]) % 64 == 0, name
print("npy ok")

raw = open(path("model.safetensors"), "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
assert (8 + n) % 8 == 0
header = json.loads(raw[8:8 + n])
assert header.pop("__metadata__") == {"step": "12", "desc": "\u00fc \"q\""}
buf = raw[8 + n:]
dtypes = {"F32": np.float32, "U8": np.uint8, "I64": np.int64}
wants = {"a": floats, "b": u8[0, 0, :7], "c": i64.reshape(2, 2)}
assert sorted(header) == sorted(wants)
end = 0
for key, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
    begin, stop = info["data_offsets"]
    assert begin == end, key
    end = stop
    arr = np.frombuffer(buf[begin:stop], dtype=np.dtype(dtypes[info["dtype"]]).newbyteorder("<")).reshape(info["shape"])
    assert np.array_equal(arr, wants[key]), key
assert end == len(buf)
print("safetensors ok")

def unfilter(data, w, h, bpp):
    stride = w * bpp
    out = bytearray(stride * h)
    for y in range(h):
        f = data[y * (stride + 1)]
        row = data[y * (stride + 1) + 1:(y + 1) * (stride + 1)]
        for i in range(stride):
            a = out[y * stride + i - bpp] if i >= bpp else 0
            b = out[(y - 1) * stride + i] if y > 0 else 0
            c = out[(y - 1) * stride + i - bpp] if i >= bpp and y > 0 else 0
            if f == 0: p = 0
            elif f == 1: p = a
            elif f == 2: p = b
            elif f == 3: p = (a + b) // 2
            elif f == 4:
                q = a + b - c
                pa, pb, pc = abs(q - a), abs(q - b), abs(q - c)
                p = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            else: raise ValueError("filter %d" % f)
            out[y * stride + i] = (row[i] + p) & 255
    return bytes(out)

for name, w, h, ch in [("gray.png", 37, 13, 1), ("rgb.png", 19, 11, 3)]:
    raw = open(path(name), "rb").read()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, chunks = 8, b"", []
    while pos < len(raw):
        length, ctype = struct.unpack(">I4s", raw[pos:pos + 8])
        data = raw[pos + 8:pos + 8 + length]
        crc = struct.unpack(">I", raw[pos + 8 + length:pos + 12 + length])[0]
        assert zlib.crc32(ctype + data) == crc, (name, ctype)
        chunks.append(ctype)
        if ctype == b"IHDR": assert struct.unpack(">IIBBBBB", data) == (w, h, 8, 0 if ch == 1 else 2, 0, 0, 0)
        if ctype == b"IDAT": idat += data
        pos += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND", chunks
    pixels = unfilter(zlib.decompress(idat), w, h, ch)
    want = bytes(((i // ch) % w * 9 + (i // ch // w) * 5 + (i % ch) * 80) & 255 for i in range(w * h * ch))
    assert pixels == want, name
print("png ok")

np.save(path("np_f4.npy"), np.arange(12, dtype="<f4").reshape(3, 4) / 8)
np.save(path("np_u1.npy"), np.arange(5, dtype=np.uint8))
np.save(path("np_i8.npy"), np.array([[-5, 7]], dtype="<i8"))
np.save(path("np_0d.npy"), np.float32(3.5))
np.save(path("np_fortran.npy"), np.asfortranarray(np.ones((2, 3), dtype="<f4")))
np.save(path("np_f8.npy"), np.ones(3))
print("numpy wrote")
"""#

    func testPythonReadsOurFilesAndWeReadNumpys() throws {
        try Python.requireNumpy()
        let dir = try TemporaryDirectory()
        try NPY.write(Tensor(shape: [3, 4, 5], floats: Self.floats), to: dir.file("f32.npy"))
        try NPY.write(Tensor(shape: [2, 28, 28], uint8s: Self.bytes), to: dir.file("u8.npy"))
        try NPY.write(Tensor(shape: [4], int64s: Self.int64s), to: dir.file("i64.npy"))
        try NPY.write(Tensor(shape: [], floats: [42.5]), to: dir.file("scalar.npy"))
        try SafeTensors(metadata: ["step": "12", "desc": "ü \"q\""], tensors: [
            "a": Tensor(shape: [3, 4, 5], floats: Self.floats),
            "b": Tensor(shape: [7], uint8s: Array(Self.bytes.prefix(7))),
            "c": Tensor(shape: [2, 2], int64s: Self.int64s),
        ]).write(to: dir.file("model.safetensors"))
        try PNGTests.gradient(37, 13, .gray).write(to: dir.file("gray.png"))
        try PNGTests.gradient(19, 11, .rgb).write(to: dir.file("rgb.png"))

        let (status, output) = try Python.run(Self.checkScript, arguments: [dir.url.path])
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output, "npy ok\nsafetensors ok\npng ok\nnumpy wrote\n")

        XCTAssertEqual(try NPY.read(from: dir.file("np_f4.npy")), Tensor(shape: [3, 4], floats: (0..<12).map { Float($0) / 8 }))
        XCTAssertEqual(try NPY.read(from: dir.file("np_u1.npy")), Tensor(shape: [5], uint8s: [0, 1, 2, 3, 4]))
        XCTAssertEqual(try NPY.read(from: dir.file("np_i8.npy")), Tensor(shape: [1, 2], int64s: [-5, 7]))
        XCTAssertEqual(try NPY.read(from: dir.file("np_0d.npy")), Tensor(shape: [], floats: [3.5]))
        assertFormatError(try NPY.read(from: dir.file("np_fortran.npy")), "np_fortran.npy: Fortran-order")
        assertFormatError(try NPY.read(from: dir.file("np_f8.npy")), "np_f8.npy: unsupported dtype '<f8'")
    }
}
