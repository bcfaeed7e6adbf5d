import Foundation
import XCTest

/// A PyTorch module of the spec loads a gantop DCGAN checkpoint (`load_state_dict(strict=True)`)
/// and reproduces gantop's samples: `scripts/dcgan-pytorch-check.py`, with torch when `python3`
/// has it, numpy standing in otherwise (what CI runs); with `GANTOP_TORCH_PYTHON` set to a Python
/// that has torch (e.g. /tmp/torchvenv/bin/python), also with torch required.
final class DCGANPyTorchTests: XCTestCase {
    func testAPyTorchModuleOfTheSpecLoadsTheCheckpointAndReproducesTheSamples() throws {
        let python = try FullScreenEndToEndTests.findExecutable("python3")
        guard FullScreenEndToEndTests.run(python, ["-c", "import numpy"]).status == 0 else {
            throw XCTSkip("numpy is not installed for python3; the check needs it (or torch)")
        }
        var pythons = [(python, [String]())]
        if let torch = ProcessInfo.processInfo.environment["GANTOP_TORCH_PYTHON"], !torch.isEmpty {
            pythons.append((torch, ["--require-torch"]))
        }
        let binary = try FullScreenEndToEndTests.gantopBinary().path
        let root = FullScreenEndToEndTests.repositoryRoot
        let script = root.appendingPathComponent("scripts/dcgan-pytorch-check.py").path
        let dir = try makeScratchDirectory("dcgan-torch")
        defer { try? FileManager.default.removeItem(at: dir) }
        let train = FullScreenEndToEndTests.run(binary, [
            "train", "--headless", "--model", "dcgan", "--recipe", "reference", "--steps", "4", "--seed", "3", "--batch-size", "8", "--g-average", "0.9",
            "--limit-images", "64", "--data", root.appendingPathComponent("assets/mnist").path, "--out", dir.path, "--quality-every", "0",
        ])
        XCTAssertEqual(train.status, 0, train.output)
        let checkpoint = dir.appendingPathComponent("checkpoint-step4.safetensors").path
        let latents = dir.appendingPathComponent("z.npy").path
        // 120 samples: two chunks (100 + 20), so batch statistics are per chunk as gantop draws them.
        let cases: [(name: String, options: [String], check: [String])] = [
            ("average", [], ["--state", "G_ema", "--bn", "running"]),
            ("raw", ["--raw-g"], ["--state", "G", "--bn", "running"]),
            ("batch", ["--sample-bn", "batch"], ["--state", "G_ema", "--bn", "batch"]),
        ]
        var outputs: [String] = []
        for c in cases {
            let out = dir.appendingPathComponent("\(c.name).npy").path
            let sample = FullScreenEndToEndTests.run(binary, ["sample", "--checkpoint", checkpoint, "--count", "120", "--dtype", "f32",
                                                              "--seed", "9", "--out", out, "--latents-out", latents] + c.options)
            XCTAssertEqual(sample.status, 0, sample.output)
            outputs.append(out)
            for (python, extra) in pythons {
                let check = FullScreenEndToEndTests.run(python, [script, checkpoint, latents, out] + c.check + extra)
                XCTAssertEqual(check.status, 0, "\(c.name) with \(python): \(check.output)")
                XCTAssertTrue(check.output.contains("max abs difference"), check.output)
            }
        }
        // The check can fail: the average's samples are not G's, nor batch statistics running ones.
        for (i, j) in [(0, 1), (0, 2)] {
            let differ = FullScreenEndToEndTests.run(python, ["-c", "import numpy as np, sys; sys.exit(0 if np.abs(np.load(sys.argv[1]) - np.load(sys.argv[2])).max() > 1e-3 else 1)",
                                                              outputs[i], outputs[j]])
            XCTAssertEqual(differ.status, 0, "\(cases[i].name) and \(cases[j].name) gave the same samples: \(differ.output)")
        }
        let mismatched = FullScreenEndToEndTests.run(python, [script, checkpoint, latents, outputs[1], "--state", "G_ema"])
        XCTAssertEqual(mismatched.status, 1, "G_ema(z) passed for G's samples: \(mismatched.output)")

        // The variants load strictly too: --d-norm none (nn.Identity at D.3, no D.3.* tensors) and
        // InfoGAN's hidden layers (G's indices shifted by 3, D.6–D.9), with and without D's BatchNorm,
        // and with the code (Q.* into its own nn.Sequential, one-hot codes in the latents).
        let variants: [(name: String, options: [String])] = [
            ("plain", ["--d-norm", "none"]),
            ("hidden", ["--g-hidden", "24", "--d-hidden", "16"]),
            ("hidden-plain", ["--d-hidden", "16", "--d-norm", "none"]),
            ("code", ["--g-hidden", "24", "--d-hidden", "16", "--info-categories", "10"]),
        ]
        for variant in variants {
            let dir = dir.appendingPathComponent(variant.name)
            let train = FullScreenEndToEndTests.run(binary, [
                "train", "--headless", "--model", "dcgan", "--recipe", "reference", "--steps", "2", "--seed", "3", "--batch-size", "8",
                "--limit-images", "64", "--data", root.appendingPathComponent("assets/mnist").path, "--out", dir.path, "--quality-every", "0",
            ] + variant.options)
            XCTAssertEqual(train.status, 0, train.output)
            let checkpoint = dir.appendingPathComponent("checkpoint-step2.safetensors").path
            let out = dir.appendingPathComponent("s.npy").path
            let sample = FullScreenEndToEndTests.run(binary, ["sample", "--checkpoint", checkpoint, "--count", "8", "--dtype", "f32",
                                                              "--out", out, "--latents-out", latents])
            XCTAssertEqual(sample.status, 0, sample.output)
            for (python, extra) in pythons {
                let check = FullScreenEndToEndTests.run(python, [script, checkpoint, latents, out] + extra)
                XCTAssertEqual(check.status, 0, "\(variant.options) with \(python): \(check.output)")
            }
        }
    }
}
