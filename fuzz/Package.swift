// swift-tools-version:6.0
import PackageDescription

// libFuzzer harnesses for every reader of outside bytes, in a package of their own so that the
// main build never needs the sanitizer flags. Build and run them with `scripts/fuzz` (see
// docs/fuzzing.md); they only link with `-sanitize=fuzzer`, which provides libFuzzer.
let harnesses: [(name: String, dependencies: [Target.Dependency])] = [
    ("safetensors", [.product(name: "GANFormats", package: "gantop")]),
    ("npy", [.product(name: "GANFormats", package: "gantop")]),
    ("idx", [.product(name: "GANFormats", package: "gantop")]),
    ("gzip-idx", [.product(name: "GANFormats", package: "gantop")]),
    ("png", [.product(name: "GANFormats", package: "gantop")]),
    ("csv-log", [.product(name: "GANFormats", package: "gantop")]),
    ("checkpoint", [.product(name: "GANFormats", package: "gantop"), .product(name: "GANTraining", package: "gantop")]),
    ("tensorboard-file", [.product(name: "GANFormats", package: "gantop"), .product(name: "TensorBoardFormat", package: "gantop")]),
    ("tensorboard-event", [.product(name: "GANFormats", package: "gantop"), .product(name: "TensorBoardFormat", package: "gantop")]),
]

let package = Package(
    name: "gantop-fuzz",
    dependencies: [.package(name: "gantop", path: "..")],
    targets: [
        .target(name: "CFuzzerDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzerDriver", .product(name: "GANFormats", package: "gantop")]),
        // Writes the committed seed corpus (an ordinary program, built without the sanitizers).
        .executableTarget(name: "make-seeds", dependencies: [.product(name: "GANFormats", package: "gantop"),
                                                             .product(name: "GANTraining", package: "gantop"),
                                                             .product(name: "TensorBoardFormat", package: "gantop")]),
    ] + harnesses.map { harness in
        .executableTarget(name: "fuzz-\(harness.name)", dependencies: ["FuzzSupport"] + harness.dependencies,
                          swiftSettings: [.unsafeFlags(["-parse-as-library"])])
    },
    swiftLanguageModes: [.v6]
)
