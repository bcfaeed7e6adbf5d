// swift-tools-version:6.0
import PackageDescription

// One target per concern; the arrows only point downwards:
//   gantop (CLI, keys) -> TerminalUI (ncurses) -> GANView (snapshot in, cells out)
//                      -> TrainingSession (worker thread, commands, snapshots) -> GANView
//                      -> RunWatcher (a run trained elsewhere, followed on disk) -> GANView, TensorBoardFormat
//                                                                            -> GANTraining (MNIST, GANs, checkpoints)
//   GANTraining -> Layers (Conv2d, BatchNorm, ..., the DCGAN) -> NeuralNet (matrices, panel kernels, the Layer
//                  protocol and Sequential, the MLP as a sequence of Dense layers)
//   GANTraining -> NeuralNet + GANFormats (zlib, safetensors, npy, PNG, CSV)
let optimisedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]
let optimisedAlways: [SwiftSetting] = optimisedInDebug + [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "gantop",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "gantop", targets: ["gantop"]),
        // For the libFuzzer harnesses in fuzz/, a package of their own that depends on this one.
        .library(name: "GANFormats", targets: ["GANFormats"]),
        .library(name: "GANTraining", targets: ["GANTraining"]),
        .library(name: "TensorBoardFormat", targets: ["TensorBoardFormat"]),
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
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),

        // The numeric targets are optimised in debug builds too: `swift test` trains real networks,
        // and unoptimised elementwise loops are ~30× slower (tests can still @testable import them).
        // AVX-512 kernels in C, chosen at run time: products for weights kept in panels and Adam
        // (OpenBLAS and Swift otherwise), and the elementwise passes (compiled for both, picked at load).
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]),
        .target(name: "NeuralNet", dependencies: ["CBLAS", "CKernels"], swiftSettings: optimisedAlways),
        // The convolutional layers (Linear, Conv2d, ConvTranspose2d, BatchNorm, ...) and the reference DCGAN;
        // the Layer protocol and Sequential they compose through are NeuralNet's, as is the MLP's Dense.
        .target(name: "Layers", dependencies: ["NeuralNet", "CKernels"], swiftSettings: optimisedAlways),
        .target(name: "GANFormats", dependencies: ["CZlib"], swiftSettings: optimisedInDebug),
        // TensorBoard event files (read, follow, write) and any writer's PNGs (system libpng).
        .target(name: "TensorBoardFormat", dependencies: ["GANFormats", "CPNG"], swiftSettings: optimisedInDebug),
        .target(name: "GANTraining", dependencies: ["NeuralNet", "Layers", "GANFormats"], swiftSettings: optimisedInDebug),
        .target(name: "GANView"),
        .target(name: "TrainingSession", dependencies: ["GANTraining", "GANView"]),
        .target(name: "TerminalUI", dependencies: ["CNcursesw", "GANView", "GANFormats"]),
        // A run trained elsewhere (TensorBoard event files, or a gantop run directory) as what the view draws.
        .target(name: "RunWatcher", dependencies: ["GANFormats", "TensorBoardFormat", "GANView"]),
        .executableTarget(name: "gantop", dependencies: [
            "GANTraining", "GANView", "TrainingSession", "TerminalUI", "TensorBoardFormat", "RunWatcher",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"]),
        .testTarget(name: "LayersTests", dependencies: ["Layers", "NeuralNet", "GANFormats"]),
        .testTarget(name: "GANFormatsTests", dependencies: ["GANFormats"]),
        .testTarget(name: "TensorBoardFormatTests", dependencies: ["TensorBoardFormat", "GANFormats"]),
        .testTarget(name: "GANTrainingTests", dependencies: ["GANTraining", "Layers", "GANFormats"]),
        .testTarget(name: "GANViewTests", dependencies: ["GANView"]),
        .testTarget(name: "TrainingSessionTests", dependencies: ["TrainingSession"]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI"]),
        .testTarget(name: "RunWatcherTests", dependencies: ["RunWatcher", "GANFormats", "TensorBoardFormat", "GANView"]),
        .testTarget(name: "EndToEndTests", dependencies: []),
    ],
    swiftLanguageModes: [.v6]
)
