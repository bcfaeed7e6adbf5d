import Foundation

/// Finds the MNIST folder the way a user expects: an explicit `--data DIR`, else
/// `$GANTOP_DATA`, else `assets/mnist` under the working directory, else next to the
/// executable (walking up from `.build/release/gantop` to the checkout, or `../share/gantop/mnist`
/// for an installed binary). The first candidate that exists wins; an explicit choice that does
/// not exist is an error rather than a silent fallback.
public enum MNISTLocator {
    public static let requiredFiles = ["train-images-idx3-ubyte.gz"]

    public static func locate(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                              currentDirectory: String = FileManager.default.currentDirectoryPath,
                              executablePath: String = CommandLine.arguments.first ?? "") throws -> URL {
        let fm = FileManager.default
        func holdsData(_ url: URL) -> Bool {
            requiredFiles.allSatisfy { fm.fileExists(atPath: url.appendingPathComponent($0).path) }
        }
        if let explicit {
            let url = URL(fileURLWithPath: explicit, relativeTo: URL(fileURLWithPath: currentDirectory))
            guard holdsData(url) else {
                throw DataError("--data \(explicit): no MNIST files there (expected \(requiredFiles[0]))")
            }
            return url
        }
        if let env = environment["GANTOP_DATA"], !env.isEmpty {
            let url = URL(fileURLWithPath: env, relativeTo: URL(fileURLWithPath: currentDirectory))
            guard holdsData(url) else {
                throw DataError("GANTOP_DATA=\(env): no MNIST files there (expected \(requiredFiles[0]))")
            }
            return url
        }
        var candidates = [URL(fileURLWithPath: currentDirectory).appendingPathComponent("assets/mnist")]
        let exe = URL(fileURLWithPath: executablePath, relativeTo: URL(fileURLWithPath: currentDirectory))
            .resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0 ..< 5 {
            candidates.append(dir.appendingPathComponent("assets/mnist"))
            candidates.append(dir.appendingPathComponent("share/gantop/mnist"))
            dir = dir.deletingLastPathComponent()
        }
        if let found = candidates.first(where: holdsData) { return found.standardizedFileURL }
        throw DataError("cannot find the MNIST data: pass --data DIR or set GANTOP_DATA "
                        + "(looked in ./assets/mnist and next to the executable)")
    }
}

/// A one-line, user-facing error about input data.
public struct DataError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
