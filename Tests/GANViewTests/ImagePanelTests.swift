import XCTest
import GANView

final class ImagePanelTests: XCTestCase {
    /// A torch make_grid of 64 MNIST digits, 8 wide with 2 px padding: 242×242.
    func testFittedSizeKeepsTheAspectRatioInCells() {
        XCTAssertEqual(ImagePanel.fittedSize(imageWidth: 242, imageHeight: 242, width: 78, height: 45).width, 78)
        XCTAssertEqual(ImagePanel.fittedSize(imageWidth: 242, imageHeight: 242, width: 78, height: 45).height, 39,
                       "a square image is half as many cells tall as wide")
        XCTAssertEqual(ImagePanel.fittedSize(imageWidth: 242, imageHeight: 242, width: 200, height: 20).width, 40,
                       "limited by height: 40 pixel rows in 20 cells")
        let wide = ImagePanel.fittedSize(imageWidth: 320, imageHeight: 80, width: 80, height: 40)
        XCTAssertEqual(wide.width, 80)
        XCTAssertEqual(wide.height, 10)
        XCTAssertEqual(ImagePanel.fittedSize(imageWidth: 28, imageHeight: 28, width: 300, height: 300).width, 112,
                       "enlarged at most 4×")
        XCTAssertEqual(ImagePanel.fittedSize(imageWidth: 0, imageHeight: 28, width: 30, height: 30).width, 0)
    }

    func testPaletteNearestKeepsGreysGreyAndFindsCubeColours() {
        XCTAssertEqual(Palette256.nearestGrey(0), 16, "black is the cube's black")
        XCTAssertEqual(Palette256.nearestGrey(255), 231, "white is the cube's white")
        XCTAssertEqual(Palette256.nearestGrey(128), 244, "mid grey is ramp grey 128")
        XCTAssertEqual(Palette256.nearest(255, 0, 0), 196, "pure red")
        XCTAssertEqual(Palette256.nearest(0, 95, 255), 16 + 0 + 6 + 5)
        XCTAssertEqual(Palette256.nearest(.nan, 0, 0), 16, "NaN does not trap")
    }

    /// A 4×4 RGB image: left half red, right half blue, in a 6×4 panel (4×2 interior).
    func testHalfBlocksCarryTwoPixelsPerCellInColour() {
        var pixels: [UInt8] = []
        for y in 0..<4 {
            for x in 0..<4 { pixels += x < 2 ? [255, 0, 0] : (y < 2 ? [0, 0, 255] : [0, 255, 0]) }
        }
        let image = SampleImage(width: 4, height: 4, channels: 3, pixels: pixels)
        var buffer = CellBuffer(width: 6, height: 4)
        ImagePanel.render(image, title: [], placeholder: "", halfBlocks: true, into: &buffer,
                          rect: buffer.bounds, theme: Theme(mode: .palette256))
        XCTAssertEqual(buffer[1, 1], Cell("▀", fg: .palette(196), bg: .palette(196)))
        XCTAssertEqual(buffer[4, 1], Cell("▀", fg: .palette(21), bg: .palette(21)), "blue over blue")
        XCTAssertEqual(buffer[4, 2], Cell("▀", fg: .palette(46), bg: .palette(46)), "green in the lower right")
    }

    func testWithoutColoursTheImageIsAnASCIIRampByLuminance() {
        // 10 columns from black to white, 4 rows.
        var pixels: [UInt8] = []
        for _ in 0..<4 { for x in 0..<10 { pixels.append(UInt8(x * 255 / 9)) } }
        let image = SampleImage(width: 10, height: 4, channels: 1, pixels: pixels)
        var buffer = CellBuffer(width: 12, height: 4)
        ImagePanel.render(image, title: [], placeholder: "", halfBlocks: true, into: &buffer,
                          rect: buffer.bounds, theme: Theme(mode: .none))
        XCTAssertEqual(buffer.row(1), "│ .:-=+*#%@│")
        XCTAssertEqual(buffer.row(2), "│ .:-=+*#%@│", "4 pixel rows in 2 cells")
    }

    func testNoImageSaysWhy() {
        var buffer = CellBuffer(width: 30, height: 5)
        ImagePanel.render(nil, title: [Span("samples")], placeholder: "no images logged yet", halfBlocks: true,
                          into: &buffer, rect: buffer.bounds, theme: Theme(mode: .none))
        XCTAssertEqual(buffer.row(0), "┌ samples ───────────────────┐")
        XCTAssertEqual(buffer.row(2), "│    no images logged yet    │")
    }
}

final class ImageZoomTests: XCTestCase {
    /// 8×4 grey image whose pixel value is its x + 10·y.
    static let image = SampleImage(width: 8, height: 4, channels: 1, pixels: (0..<32).map { UInt8($0 % 8 + 10 * ($0 / 8)) })

    func testZoomShowsTheCentredPartStayingInsideTheImage() {
        let centre = Self.image.zoomed(2, centerX: 0.5, centerY: 0.5)
        XCTAssertEqual([centre.width, centre.height], [4, 2])
        XCTAssertEqual(centre.pixels, [12, 13, 14, 15, 22, 23, 24, 25])
        let corner = Self.image.zoomed(2, centerX: 1, centerY: 0)
        XCTAssertEqual(corner.pixels, [4, 5, 6, 7, 14, 15, 16, 17], "clamped to the top-right quarter")
        XCTAssertEqual(Self.image.zoomed(1, centerX: 0.9, centerY: 0.9), Self.image)
        XCTAssertEqual(Self.image.zoomed(8, centerX: 0.5, centerY: 0.5), Self.image, "no zoom below one pixel a row")
    }

    func testReductionAveragesBlocksIncludingPartialEdges() {
        // 5×3 grey: values 0…14; by 2 → 3×2, the right column and bottom row from partial blocks.
        let image = SampleImage(width: 5, height: 3, channels: 1, pixels: (0..<15).map { UInt8($0 * 10) })
        let small = image.reduced(by: 2)
        XCTAssertEqual([small.width, small.height], [3, 2])
        XCTAssertEqual(small.pixels, [30, 50, 65, 105, 125, 140])
        let rgb = SampleImage(width: 2, height: 2, channels: 3, pixels: [255, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 255])
        XCTAssertEqual(rgb.reduced(by: 2).pixels, [128, 0, 128])
        XCTAssertEqual(image.reduced(by: 1), image)
    }

    func testTheTitleSaysZoomed() {
        var frame = WatchScreenTests.syntheticFrame()
        frame.image.zoom = 2
        var buffer = CellBuffer(width: 100, height: 30)
        WatchScreen.render(frame, helpVisible: false, halfBlocks: false, colorMode: .none, into: &buffer)
        XCTAssertTrue(buffer.row(2).contains("samples · step 2,000 · 20/20 · zoom 2×"), buffer.row(2))
    }
}
