import XCTest
final class GANFormatsTestsPlaceholder: XCTestCase { func testNothing() {} }
