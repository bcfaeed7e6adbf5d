import Foundation
import XCTest

/// `--model dcgan` through the real binary: the benchmark, headless training, resume and sampling.
final class DCGANCommandLineTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = try makeScratchDirectory("dcgan-cli")
    }

    override func tearDown() {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
        super.tearDown()
    }

    static var data: String { FullScreenEndToEndTests.repositoryRoot.appendingPathComponent("assets/mnist").path }

    func gantop(_ arguments: [String], timeout: Double = 60) throws -> ChildProcess.Result {
        try ChildProcess.run(try FullScreenEndToEndTests.gantopBinary().path, arguments, in: scratch,
                             outputPrefix: scratch.appendingPathComponent("out-\(UUID().uuidString.prefix(8))"), timeout: timeout)
    }

    func testBenchTimesTheDCGANAndNamesItAndTheKernelPath() throws {
        let json = try gantop(["bench", "--model", "dcgan", "--json", "--seconds", "0.2", "--batch-size", "8",
                               "--data", Self.data, "--limit-images", "64"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        XCTAssertEqual(object["model"] as? String, "dcgan")
        XCTAssertGreaterThan(try XCTUnwrap(object["steps_per_sec_b8"] as? Double), 0)
        XCTAssertNotNil(object["kernel_path"] as? String)
        // The DCGAN's step is ~9.4 GFLOP at B = 64 (the MLP's ~1 GFLOP): the count is the DCGAN's.
        XCTAssertGreaterThan(try XCTUnwrap(object["flops_per_step_b64"] as? Double), 5e9)

        let text = try gantop(["bench", "--model", "dcgan", "--seconds", "0.2", "--batch-size", "8",
                               "--data", Self.data, "--limit-images", "64"])
        XCTAssertEqual(text.status, 0, text.stderr)
        XCTAssertTrue(text.stdout.contains("DCGAN") && text.stdout.contains("kernel path:") && text.stdout.contains("B=   8"),
                      text.stdout)
    }

    private var quick: [String] {
        ["--model", "dcgan", "--data", Self.data, "--limit-images", "64", "--batch-size", "8", "--seed", "4"]
    }

    /// Headless with JSON lines and the quality meter (as scripts/quality-sweep runs it), saves,
    /// losses.csv; resuming at step 4 reaches step 8 with the uninterrupted run's numbers; the
    /// MLP refuses the checkpoint in one line; `sample` finds the model in the header.
    func testHeadlessTrainResumeAndSample() throws {
        let metered = scratch.appendingPathComponent("metered").path
        let m = try gantop(["train", "--headless", "--json", "--steps", "8", "--log-every", "4", "--save-every", "4",
                            "--quality-every", "4", "--out", metered] + quick, timeout: 120)
        XCTAssertEqual(m.status, 0, m.stderr)
        let lines = m.stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.contains("\"mnist_score\"") && $0.hasPrefix("{\"step\":4,") }, m.stdout)
        XCTAssertTrue(lines.contains { $0.contains("\"event\":\"saved\"") && $0.contains("\"step\":8") && $0.contains("frechet_distance") },
                      m.stdout)
        let csv = try String(contentsOfFile: metered + "/losses.csv", encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 9, csv)

        // Without the meter (its readings go into the checkpoint's metadata), so the files can be compared whole.
        let full = scratch.appendingPathComponent("full").path, half = scratch.appendingPathComponent("half").path
        let a = try gantop(["train", "--headless", "--json", "--steps", "8", "--log-every", "4", "--save-every", "4",
                            "--quality-every", "0", "--out", full] + quick, timeout: 120)
        XCTAssertEqual(a.status, 0, a.stderr)

        let b = try gantop(["train", "--headless", "--json", "--steps", "8", "--log-every", "4", "--quality-every", "0",
                            "--resume", full + "/checkpoint-step4.safetensors", "--out", half,
                            "--data", Self.data, "--limit-images", "64"], timeout: 120)
        XCTAssertEqual(b.status, 0, b.stderr)
        func stepLine(_ out: String, _ step: Int) -> String? {
            out.split(separator: "\n").map(String.init).first { $0.hasPrefix("{\"step\":\(step),\"epoch\"") }?
                .replacingOccurrences(of: #","steps_per_sec":[^,]*"#, with: "", options: .regularExpression)
        }
        XCTAssertNotNil(stepLine(a.stdout, 8))
        XCTAssertEqual(stepLine(b.stdout, 8), stepLine(a.stdout, 8), "the resumed run left the uninterrupted one")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: half + "/checkpoint-step8.safetensors")),
                       try Data(contentsOf: URL(fileURLWithPath: full + "/checkpoint-step8.safetensors")),
                       "the checkpoints at step 8 differ")

        let wrong = try gantop(["train", "--headless", "--model", "mlp", "--steps", "9", "--resume", full + "/checkpoint-step4.safetensors",
                                "--data", Self.data, "--limit-images", "64", "--out", scratch.appendingPathComponent("wrong").path])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertEqual(wrong.stderr.split(separator: "\n").count, 1, wrong.stderr)
        XCTAssertTrue(wrong.stderr.contains("dcgan") && wrong.stderr.contains("mlp"), wrong.stderr)

        let npy = scratch.appendingPathComponent("s.npy").path
        let sample = try gantop(["sample", "--checkpoint", full + "/checkpoint-latest.safetensors", "--count", "5", "--out", npy])
        XCTAssertEqual(sample.status, 0, sample.stderr)
        XCTAssertTrue(sample.stdout.contains("wrote 5 digits from step 8"), sample.stdout)
        let refused = try gantop(["sample", "--model", "mlp", "--checkpoint", full + "/checkpoint-latest.safetensors", "--out", npy])
        XCTAssertEqual(refused.status, 1, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("dcgan"), refused.stderr)
    }

    /// The hidden layers' widths: checked (one line says why), the DCGAN's only, and fixed on resume.
    func testHiddenLayerOptionsAreCheckedInOneLine() throws {
        let wide = scratch.appendingPathComponent("wide").path
        let a = try gantop(["train", "--headless", "--steps", "2", "--g-hidden", "16", "--d-hidden", "8", "--quality-every", "0",
                            "--out", wide] + quick, timeout: 120)
        XCTAssertEqual(a.status, 0, a.stderr)
        XCTAssertTrue(a.stdout.contains("G hidden layer 16") && a.stdout.contains("D hidden layer 8"), a.stdout)
        let checkpoint = wide + "/checkpoint-step2.safetensors"
        let refusals: [([String], String)] = [
            (["train", "--headless", "--steps", "1", "--g-hidden", "-1"] + quick, "G's hidden layer"),
            (["train", "--headless", "--steps", "1", "--d-hidden", "100000"] + quick, "D's hidden layer"),
            (["train", "--headless", "--steps", "1", "--model", "mlp", "--g-hidden", "16", "--data", Self.data], "--model dcgan"),
            (["train", "--headless", "--steps", "3", "--resume", checkpoint, "--d-hidden", "0", "--data", Self.data,
              "--limit-images", "64", "--out", scratch.appendingPathComponent("changed").path], "--d-hidden 0"),
        ]
        for (arguments, message) in refusals {
            let r = try gantop(arguments)
            XCTAssertNotEqual(r.status, 0, "\(arguments): \(r.stderr)")
            // (ArgumentParser's usage lines follow a validation error's one line.)
            XCTAssertTrue(r.stderr.split(separator: "\n").first?.contains(message) == true, "\(arguments): \(r.stderr)")
        }
        let resumed = try gantop(["train", "--headless", "--steps", "3", "--resume", checkpoint, "--g-hidden", "16", "--quality-every", "0",
                                  "--data", Self.data, "--limit-images", "64", "--out", scratch.appendingPathComponent("resumed").path],
                                 timeout: 120)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
    }

    func testDropoutIsRefusedForTheDCGAN() throws {
        let r = try gantop(["train", "--headless", "--steps", "1", "--d-dropout", "0.3"] + quick)
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.split(separator: "\n").first?.contains("dropout") == true, r.stderr)
    }
}
