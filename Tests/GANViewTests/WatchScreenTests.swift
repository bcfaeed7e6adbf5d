import XCTest
import GANView

/// The watch screen at 80×24 without colours, for a fixed synthetic frame. If a change to the
/// view is intended, print `buffer.text(trimmingTrailingSpaces: true)` and paste it here.
final class WatchScreenTests: XCTestCase {
    static func syntheticFrame() -> WatchFrame {
        var d = ScalarSeries(), g = ScalarSeries()
        for step in stride(from: 0, through: 2000, by: 10) {
            let t = Float(step) / 2000
            d.append(step: step, value: 1.4 - 0.8 * t)
            g.append(step: step, value: 0.7 + 1.2 * t)
        }
        // A 4×2 "grid" of blobs on black: rings of grey in 16×16 tiles.
        var pixels: [UInt8] = []
        for y in 0..<32 {
            for x in 0..<64 {
                let dx = Float(x % 16) - 7.5, dy = Float(y % 16) - 7.5
                let r = (dx * dx + dy * dy).squareRoot()
                pixels.append(r > 3 && r < 6 ? 255 : 0)
            }
        }
        return WatchFrame(
            state: .live, logdir: "runs", sourceKind: "tensorboard", runName: "dcgan", runIndex: 0, runCount: 2,
            step: 2000, lastEventAge: 4, dTag: "Loss/D", gTag: "Loss/G", dValue: 0.6, gValue: 1.9,
            series: [ChartSeries(label: "D Loss/D", points: d.points, colour: 0),
                     ChartSeries(label: "G Loss/G", points: g.points, colour: 1)],
            scalars: [ScalarRow(tag: "Loss/D", value: 0.6, step: 2000, lossRole: "D", onChart: true),
                      ScalarRow(tag: "Loss/G", value: 1.9, step: 2000, lossRole: "G", onChart: true),
                      ScalarRow(tag: "D(x)", value: 0.71, step: 2000)],
            runs: [RunRow(name: "dcgan", step: 2000, state: .live, isCurrent: true),
                   RunRow(name: "mlp", step: 900, state: .silent, isCurrent: false)],
            image: ImageView(image: SampleImage(width: 64, height: 32, channels: 1, pixels: pixels), tag: "samples",
                             step: 2000, position: 20, count: 20))
    }

    static let expected80x24 = """
         LIVE   run dcgan (1/2)  step 2,000  last event 4s ago  D 0.600  G 1.900

        ┌ Losses ───── ━ D Loss/D  ━ G Loss/G ─┐┌ samples · step 2,000 · 20/20 ────────┐
        │   │                               ⢀⡠⠔││                                      │
        │   │                            ⣀⠤⠒⠁  ││                                      │
        │   │                        ⢀⡠⠔⠊      ││                                      │
        │1.5┤                     ⣀⠤⠊⠁         ││                                      │
        │   │⠒⠤⢄⣀             ⢀⡠⠔⠉             ││   .--       --.      .--       --.   │
        │   │    ⠉⠒⠢⠤⣀    ⢀⡠⠔⠊⠁                ││ :@#++@*   *@++#@:  :@#++@*   *@++#@: │
        │   │         ⠉⣑⠶⠶⣁⡀                   ││ %@   =@- -@=   @%  %@   =@- -@=   @% │
        │1.0┤      ⢀⡠⠔⠊    ⠈⠉⠒⠢⢄⣀              ││ :@#++@*   *@++#@:  :@#++@*   *@++#@: │
        │   │   ⣀⠤⠊⠁             ⠉⠑⠢⠤⣀⡀        ││   .--       --.      .--       --.   │
        │   │⡠⠔⠉                      ⠈⠑⠒⠤⢄⡀   ││   .--       --.      .--       --.   │
        │   │                              ⠈⠉⠒⠢││ :@#++@*   *@++#@:  :@#++@*   *@++#@: │
        │   └┬────────────────┬───────────────┬││ %@   =@- -@=   @%  %@   =@- -@=   @% │
        │    0               1k              2k││ :@#++@*   *@++#@:  :@#++@*   *@++#@: │
        └──────────────────────────────────────┘│   .--       --.      .--       --.   │
        ┌ Scalars ─────────────┐┌ Runs 2 ──────┐│                                      │
        │D Loss/D        0.6000││▶ dcgan    @2k││                                      │
        │G Loss/G        1.9000││  mlp   silent││                                      │
        │  D(x)          0.7100││              ││                                      │
        │                      ││              ││                                      │
        └──────────────────────┘└──────────────┘└──────────────────────────────────────┘
        space pause  [ ] images  Tab run  o overlay  p scalars  s smooth  ? help  q quit
        """

    func testGolden80x24() {
        var buffer = CellBuffer(width: 80, height: 24)
        WatchScreen.render(Self.syntheticFrame(), helpVisible: false, halfBlocks: false, colorMode: .none, into: &buffer)
        let actual = buffer.text(trimmingTrailingSpaces: true)
        let expectedLines = Self.expected80x24.split(separator: "\n", omittingEmptySubsequences: false)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(actualLines.count, expectedLines.count)
        for (i, (a, e)) in zip(actualLines, expectedLines).enumerated() where a != e {
            XCTFail("row \(i) differs:\n  got      \(a)\n  expected \(e)")
        }
    }
}
