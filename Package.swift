// swift-tools-version:6.0
import PackageDescription

// One target per concern; the arrows only point downwards:
//   gantop (CLI, keys) -> TerminalUI (ncurses) -> GANView (snapshot in, cells out)
//                      -> TrainingSession (worker thread, commands, snapshots) -> GANView
//                                                                            -> GANTraining (MNIST, GANs, checkpoints)
//   GANTraining -> NeuralNet (matrices over OpenBLAS) + GANFormats (zlib, safetensors, npy, PNG, CSV)
let package = Package(
    name: "gantop",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gantop", targets: ["gantop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // Native shims. pkg-config is left out on purpose: SwiftPM drops its -D flags anyway,
        // and the headers define what they need themselves.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),

        .target(name: "NeuralNet", dependencies: ["CBLAS"],
                swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]),
        .target(name: "GANFormats", dependencies: ["CZlib"]),
        .target(name: "GANTraining", dependencies: ["NeuralNet", "GANFormats"]),
        .target(name: "GANView"),
        .target(name: "TrainingSession", dependencies: ["GANTraining", "GANView"]),
        .target(name: "TerminalUI", dependencies: ["CNcursesw", "GANView"]),
        .executableTarget(name: "gantop", dependencies: [
            "GANTraining", "GANView", "TrainingSession", "TerminalUI",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"]),
        .testTarget(name: "GANFormatsTests", dependencies: ["GANFormats"]),
        .testTarget(name: "GANTrainingTests", dependencies: ["GANTraining"]),
        .testTarget(name: "GANViewTests", dependencies: ["GANView"]),
        .testTarget(name: "TrainingSessionTests", dependencies: ["TrainingSession"]),
        .testTarget(name: "EndToEndTests", dependencies: []),
    ],
    swiftLanguageModes: [.v6]
)
