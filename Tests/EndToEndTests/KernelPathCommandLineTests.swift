import Foundation
import XCTest

/// `GANTOP_KERNELS` as a user sets it: every path this CPU runs trains, a path it lacks (or a
/// name that is no path) is refused with one line and exit status 2 before anything runs.
final class KernelPathCommandLineTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try makeScratchDirectory("kernel-paths") }
    override func tearDown() {
        try? FileManager.default.removeItem(at: scratch)
        super.tearDown()
    }

    /// gantop with `GANTOP_KERNELS=value` (through env(1), which sets it for the child alone).
    private func gantop(kernels value: String, _ arguments: [String]) throws -> ChildProcess.Result {
        try gantop(environment: ["GANTOP_KERNELS=\(value)"], arguments, tag: value)
    }

    /// gantop under env(1) with these arguments to it (`NAME=value` sets, `-u NAME` unsets).
    private func gantop(environment: [String], _ arguments: [String], tag: String) throws -> ChildProcess.Result {
        let binary = try FullScreenEndToEndTests.gantopBinary().path
        return try ChildProcess.run("/usr/bin/env", environment + [binary] + arguments, in: scratch,
                                    outputPrefix: scratch.appendingPathComponent("out-\(tag)"), timeout: 60)
    }

    private func listedPaths() throws -> [String] {
        let r = try gantop(kernels: "auto", ["bench", "--list-kernel-paths"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout.split(separator: "\n").map(String.init)
    }

    func testEverySupportedPathTrainsAndBenchNamesIt() throws {
        let paths = try listedPaths()
        XCTAssertEqual(Set(paths).subtracting(["avx512", "avx2", "portable", "blas"]), [], "\(paths)")
        XCTAssertTrue(paths.contains("portable") && paths.contains("blas"), "\(paths)")
        let data = FullScreenEndToEndTests.repositoryRoot.appendingPathComponent("assets/mnist").path
        for path in paths {
            let out = scratch.appendingPathComponent("run-\(path)").path
            let r = try gantop(kernels: path, ["train", "--headless", "--data", data, "--limit-images", "256",
                                               "--batch-size", "16", "--quality-every", "0", "--seed", "1",
                                               "--steps", "3", "--out", out])
            XCTAssertEqual(r.status, 0, "\(path): \(r.stderr)")
        }
        let bench = try gantop(kernels: paths[paths.count - 2], ["bench", "--json", "--seconds", "0.2", "--batch-sizes", "8",
                                                                  "--data", data, "--limit-images", "256"])
        XCTAssertEqual(bench.status, 0, bench.stderr)
        XCTAssertTrue(bench.stdout.contains("\"kernel_path\":\"\(paths[paths.count - 2])\""), bench.stdout)
    }

    func testUnknownAndUnsupportedPathsAreRefused() throws {
        var refused = ["avx1024"]
        refused += ["avx512", "avx2"].filter { !(try! listedPaths()).contains($0) }
        for value in refused {
            let r = try gantop(kernels: value, ["train", "--headless", "--steps", "1"])
            XCTAssertEqual(r.status, 2, "\(value): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("gantop: GANTOP_KERNELS=\(value)"), r.stderr)
            XCTAssertTrue(r.stderr.contains(value == "avx1024" ? "not a kernel path" : "this CPU lacks"), r.stderr)
        }
    }

    /// OPENBLAS_CORETYPE overrides OpenBLAS's own kernels (on a Zen 5 it held the DCGAN's products to
    /// Haswell's, 0.65× the speed), so bench says when the core it reports came from the environment.
    func testBenchSaysWhenOpenBLASCoreIsForcedByTheEnvironment() throws {
        let data = FullScreenEndToEndTests.repositoryRoot.appendingPathComponent("assets/mnist").path
        let bench = ["bench", "--seconds", "0.1", "--batch-sizes", "8", "--data", data, "--limit-images", "256"]
        let forced = try gantop(environment: ["OPENBLAS_CORETYPE=Haswell"], bench, tag: "forced")
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertTrue(forced.stdout.contains("core Haswell, as OPENBLAS_CORETYPE sets it)"), forced.stdout)
        let forcedJSON = try gantop(environment: ["OPENBLAS_CORETYPE=Haswell"], bench + ["--json"], tag: "forced-json")
        XCTAssertTrue(forcedJSON.stdout.contains("\"blas_core\":\"Haswell\",\"blas_core_from_environment\":true"), forcedJSON.stdout)
        let own = try gantop(environment: ["-u", "OPENBLAS_CORETYPE"], bench + ["--json"], tag: "own")
        XCTAssertEqual(own.status, 0, own.stderr)
        XCTAssertTrue(own.stdout.contains("\"blas_core_from_environment\":false"), own.stdout)
    }
}
