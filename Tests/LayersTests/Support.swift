import XCTest
import Foundation
import GANFormats
import NeuralNet
@testable import Layers

/// Owned storage for matrix views (kept alive for the test), fixtures, and finite differences.
class LayersTestCase: XCTestCase {
    private var retained: [AnyObject] = []

    func matrix(_ rows: Int, _ cols: Int, _ values: [Float]? = nil) -> Matrix {
        let arena = FloatArena(capacity: FloatArena.capacity(for: [(rows, cols)]))
        retained.append(arena)
        let m = arena.matrix(rows: rows, cols: cols)
        if let values {
            precondition(values.count == rows * cols, "\(values.count) values for \(rows)×\(cols)")
            m.base.update(from: values, count: values.count)
        }
        return m
    }

    func keep<T: AnyObject>(_ object: T) -> T { retained.append(object); return object }

    static let fixtureDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/dcgan").standardized

    func fixture(_ file: String) throws -> SafeTensors {
        try SafeTensors.read(from: Self.fixtureDirectory.appendingPathComponent(file))
    }
}

extension SafeTensors {
    func floats(_ name: String, file: StaticString = #filePath, line: UInt = #line) -> [Float] {
        guard let values = tensors[name]?.floats else {
            XCTFail("fixture has no F32 tensor \(name)", file: file, line: line)
            return []
        }
        return values
    }
}

/// Copies a tensor (row-major, as PyTorch's state dict has it) into a network's set.
func load(_ values: [Float], into set: ParameterSet, _ name: String) {
    guard let e = set.entry(named: name) else { return XCTFail("no tensor \(name)") }
    set.load(values, into: e, block: .values)
}

/// max |a − b| ≤ abs + rel·|b| elementwise, with the worst element in the message.
func assertClose(_ a: [Float], _ b: [Float], abs absTol: Float = 1e-5, rel: Float = 1e-4, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(what): count", file: file, line: line)
    guard a.count == b.count, !a.isEmpty else { return }
    for i in a.indices where !(Swift.abs(a[i] - b[i]) <= absTol + rel * Swift.abs(b[i])) {
        return XCTFail("\(what)[\(i)]: \(a[i]) vs PyTorch \(b[i])", file: file, line: line)
    }
}

/// Central difference of `f` w.r.t. the Float at `p`, divided by the step actually taken.
func centralDifference(at p: UnsafeMutablePointer<Float>, eps: Float, _ f: () -> Double) -> Double {
    let saved = p.pointee
    p.pointee = saved + eps
    let plus = f()
    p.pointee = saved - eps
    let minus = f()
    p.pointee = saved
    return (plus - minus) / (Double(saved + eps) - Double(saved - eps))
}

func assertGradientsClose(_ analytic: [Float], _ numeric: [Double], rel: Double = 2e-2, abs absTol: Double = 2e-3,
                          _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(analytic.count, numeric.count, "\(what): count", file: file, line: line)
    for (i, (a, n)) in zip(analytic, numeric).enumerated() {
        let tol = rel * max(Swift.abs(Double(a)), Swift.abs(n)) + absTol
        if Swift.abs(Double(a) - n) > tol {
            return XCTFail("\(what)[\(i)]: analytic \(a) vs finite difference \(n)", file: file, line: line)
        }
    }
    XCTAssertTrue(numeric.contains { Swift.abs($0) > 10 * absTol }, "\(what): gradient suspiciously ~0",
                  file: file, line: line)
}
