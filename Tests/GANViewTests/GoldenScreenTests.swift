import XCTest
import GANView

/// The whole 80×24 screen for a fixed synthetic snapshot, without colours, ASCII digits.
/// If a change to the view is intended, print the new render (`ViewDemo golden` in the dev
/// package, or `Screen.render(...).text(trimmingTrailingSpaces: true)`) and paste it here.
final class GoldenScreenTests: XCTestCase {
    static let expected80x24 = """
         RUNNING   epoch 7  step 3,000  187 steps/s  D 0.663  G 1.015  D(x) 0.61
        D(G(z)) 0.38  KS 0.113  seed 7  saved runs/demo/checkpoint-step3000.safetensors
        ┌ Losses ──────────── ━ D loss  ━ G loss ─┐┌ Samples G(z) ───────────── ascii ─┐
        │ │⠢⠤⣀                                    ││   ..      .-.      ---:       -   │
        │2┤   ⠉⠒⢄                                 ││  :*@:     %:*=     ..#+      *%-  │
        │ │      ⠉⠒⢄⡀                             ││   :*+     *+*=      =*      -+##. │
        │1┤⠒⠒⠒⠤⠤⠤⠤⣀⣀⡈⠒⠢⢄⣀⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠤⠢⠤⠤⠤⠤⠤⠤⠤⠤⢄⣀││  .--.      ..       :          .  │
        │ │         ⠈⠉⠉⠉⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⠒⠔⠤⠤⠤⠤⠤⠤⠤⠤││                                   │
        │ └┬────────────────────────┬─────────────││   :.       ..      .--.      --.  │
        │  0                       2k             ││  .#+      =#%:     +%*.     --+*  │
        └─────────────────────────────────────────┘│   -*      #+%-     :-*+     :##-  │
        ┌ mixture of 2 gaussians  KS 0.113 ───────┐│    .      .-:      .::      .:::  │
        │ 0.4┤         ⡔⠢⡀                    ├1.0││                                   │
        │    │        ⡜ ▃⢣        ⢀⠎⠑⡄        │   ││  .-:        ::     .--.       .   │
        │ 0.2┤      ⠠⢲⠃▅⠤⣘⡄      ⢠⣃⡀█⡘⡄       ├0.5││  +*%=     .%*      .+%.     -#=#  │
        │    │   ⢠⠊  ⡎████⢱⢀   ⡔⢀⠎███⠈⠙⡄      │   ││   .#-     +#%-     :-%=     ++-%  │
        │    │ ⢀    ⡸▇█████⢫⠢▁⠈⢀⠎██████⠘⡌⠒⠄   │   ││    .       :.      .:.       :-   │
        │ 0.0┤⣒⣁⣀⣀⡠⠜████████⠑⠤⠔⠁████████⠈⠢⢄⣀⣒⣤├0.0││                                   │
        │   x└-4─────-2───────0───────2──────4┘   ││  .---.      -       .-       .:   │
        │        ⢀⡠⡴⡺⢫⢻⠘⡄⢣ ⠘⡄  ⢠⠃ ⡜⢠⠃⡟⡝⢗⢦⢄⡀       ││   :=%.    .#@.      +#       %##  │
        │     ⡠⠔⡪⠕⡩⠊⢠⠃⢸ ⢣ ⢣ ⢣  ⡜ ⡜ ⡜ ⡇⠘⡄⠑⢍⠪⢕⠢⢄    ││   :#.     ++%*      :#      -%+%  │
        │   z -1┴─┴─┴─┴─┴─┴─┴─0┴─┴─┴─┴─┴─┴─┴─1    ││   :         .        .       :-.  │
        └─────────────────────────────────────────┘└───────────────────────────────────┘
        space pause  n step  w save  t target  h shade  s smooth  ? help  q quit
        """

    func testGolden80x24() {
        let snap = FrameSnapshot.demo(step: 3000, seed: 7, gan1DBins: Screen.gan1DBinCount(width: 80, height: 24))
        let buffer = Screen.render(snap, options: ViewOptions(unicodeDigits: false), width: 80, height: 24,
                                   colorMode: .none)
        let actual = buffer.text(trimmingTrailingSpaces: true)
        let expectedLines = Self.expected80x24.split(separator: "\n", omittingEmptySubsequences: false)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(actualLines.count, expectedLines.count)
        for (i, (a, e)) in zip(actualLines, expectedLines).enumerated() where a != e {
            XCTFail("row \(i) differs:\n  got      \(a)\n  expected \(e)")
        }
    }
}
