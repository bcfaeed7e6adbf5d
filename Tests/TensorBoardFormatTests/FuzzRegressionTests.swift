import XCTest
@testable import TensorBoardFormat

/// Inputs the libFuzzer harnesses (fuzz/, docs/fuzzing.md) found breaking a rule, kept as tests.
final class FuzzRegressionTests: XCTestCase {
    /// fuzz-tensorboard-event: a scalars-plugin value whose tag holds a line break ("\u{89}PNG\r\n\u{1a}\nloss")
    /// and whose tensor is not a float scalar. The warning quoted the tag as it was and came out
    /// on two lines; warnings are shown one a line.
    func testAWarningAboutATagWithLineBreaksIsOneLine() throws {
        let event: [UInt8] = [
        0x09, 0x49, 0x4c, 0x60, 0x9d, 0xf3, 0xc3, 0xda, 0x41, 0x10, 0x01, 0x2a, 0x2b, 0x0a, 0x29, 0x0a,
        0x0c, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x6c, 0x6f, 0x73, 0x73, 0x42, 0x0a, 0x08,
        0x04, 0x12, 0x00, 0x2a, 0x04, 0x00, 0x00, 0x00, 0x3f, 0x4a, 0x0d, 0x0a, 0x09, 0x0a, 0x07, 0x73,
        0x63, 0x61, 0x6c, 0x61, 0x72, 0x73, 0x20, 0x01,
        ]
        var parser = EventParser()
        let record = try parser.parse(event)
        XCTAssertEqual(record.warnings.count, 1)
        for warning in record.warnings {
            XCTAssertFalse(warning.contains("\n") || warning.contains("\r"), warning.debugDescription)
            XCTAssertTrue(warning.hasSuffix("loss at step 1: scalar tensor with dtype 4, shape []"), warning.debugDescription)
        }
    }
}
