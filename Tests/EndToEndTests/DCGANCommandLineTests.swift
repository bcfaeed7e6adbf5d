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
}
