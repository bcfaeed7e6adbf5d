import XCTest
import Foundation

/// gantop's exports as the Python world reads them: a checkpoint parsed by a few lines of Python
/// (no safetensors package), latents and samples by `numpy.load`, and G(z) recomputed in numpy
/// from the checkpoint's weights must match gantop's own f32 samples.
final class PythonInteropTests: XCTestCase {
    func testCheckpointAndSamplesMatchANumpyGenerator() throws {
        let python = try FullScreenEndToEndTests.findExecutable("python3")
        guard FullScreenEndToEndTests.run(python, ["-c", "import numpy"]).status == 0 else {
            throw XCTSkip("numpy is not installed for python3; the interop test needs it")
        }
        let binary = try FullScreenEndToEndTests.gantopBinary().path
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gantop-interop-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = FullScreenEndToEndTests.repositoryRoot.appendingPathComponent("assets/mnist").path
        let train = FullScreenEndToEndTests.run(binary, ["train", "--headless", "--steps", "5", "--seed", "3", "--batch-size", "8",
                                                         "--limit-images", "64", "--data", data, "--out", dir.path, "--quality-every", "0"])
        XCTAssertEqual(train.status, 0, train.output)
        let checkpoint = dir.appendingPathComponent("checkpoint-step5.safetensors").path
        let samples = dir.appendingPathComponent("s.npy").path, latents = dir.appendingPathComponent("z.npy").path
        let rawSamples = dir.appendingPathComponent("raw.npy").path
        // The default recipe keeps a moving average of G (g_ema.*), which `sample` uses; --raw-g uses g.*.
        let sample = FullScreenEndToEndTests.run(binary, ["sample", "--checkpoint", checkpoint, "--count", "40", "--dtype", "f32",
                                                          "--out", samples, "--latents-out", latents, "--seed", "9"])
        XCTAssertEqual(sample.status, 0, sample.output)
        let raw = FullScreenEndToEndTests.run(binary, ["sample", "--checkpoint", checkpoint, "--count", "40", "--dtype", "f32",
                                                       "--out", rawSamples, "--seed", "9", "--raw-g"])
        XCTAssertEqual(raw.status, 0, raw.output)

        let script = """
        import json, struct, sys, numpy as np
        raw = open(sys.argv[1], "rb").read()
        n = struct.unpack("<Q", raw[:8])[0]
        header = json.loads(raw[8:8 + n])
        body = raw[8 + n:]
        def tensor(name):
            t = header[name]
            assert t["dtype"] == "F32", t
            b, e = t["data_offsets"]
            return np.frombuffer(body[b:e], dtype="<f4").reshape(t["shape"])
        assert header["__metadata__"]["step"] == "5"
        assert header["__metadata__"]["g_ema_decay"] == "0.999", header["__metadata__"]
        z = np.load(sys.argv[2]); x = np.load(sys.argv[3]); prefix = sys.argv[4]
        assert z.shape == (40, 100) and z.dtype == np.float32, (z.shape, z.dtype)
        assert x.shape == (40, 28, 28) and x.dtype == np.float32, (x.shape, x.dtype)
        h = z.astype(np.float64)
        for i in range(1, 5):
            h = h @ tensor(f"{prefix}.fc{i}.weight").T.astype(np.float64) + tensor(f"{prefix}.fc{i}.bias")
            h = np.where(h > 0, h, 0.2 * h) if i < 4 else np.tanh(h)
        err = np.abs(h.reshape(40, 28, 28) - x).max()
        print("max abs difference", err)
        sys.exit(0 if err < 1e-4 else 1)
        """
        for (file, prefix) in [(samples, "g_ema"), (rawSamples, "g")] {
            let check = FullScreenEndToEndTests.run(python, ["-c", script, checkpoint, latents, file, prefix])
            XCTAssertEqual(check.status, 0, "numpy's \(prefix)(z) differs from gantop's samples: \(check.output)")
        }
        // And they are different networks: the average lags G.
        let differ = FullScreenEndToEndTests.run(python, ["-c", "import numpy as np, sys; sys.exit(0 if np.abs(np.load(sys.argv[1]) - np.load(sys.argv[2])).max() > 1e-3 else 1)", samples, rawSamples])
        XCTAssertEqual(differ.status, 0, "the average's samples equal G's: \(differ.output)")
    }
}
