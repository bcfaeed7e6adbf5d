import Foundation
import GANFormats

/// A directory holding event files: one run, named as TensorBoard names it.
public struct RunDirectory: Equatable, Hashable, Sendable {
    /// The path relative to the log directory, "." for the log directory itself.
    public let name: String
    public let url: URL

    public init(name: String, url: URL) {
        self.name = name
        self.url = url
    }

    /// The run's event files, oldest first (their names start with the writer's start time).
    public func eventFiles() throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        return names.filter(isEventFileName).sorted().map { url.appendingPathComponent($0) }
    }
}

/// TensorBoard's rule: a file whose name contains `tfevents` (hidden temporaries excluded).
func isEventFileName(_ name: String) -> Bool { name.contains("tfevents") && !name.hasPrefix(".") }

/// Every directory under `logdir` (itself included) that holds `*tfevents*` files, sorted by
/// name. Throws a one-line error when `logdir` is missing or not a directory.
public func discoverRuns(under logdir: URL) throws -> [RunDirectory] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: logdir.path, isDirectory: &isDirectory) else {
        throw FileError("cannot open log directory", logdir.relativePath, reason: "No such file or directory")
    }
    guard isDirectory.boolValue else {
        throw FileError("cannot open log directory", logdir.relativePath, reason: "Not a directory")
    }
    let root = logdir.standardizedFileURL
    var runs: [RunDirectory] = []
    var queue: [(String, URL)] = [(".", root)]
    var seen: Set<String> = []
    while let (name, url) = queue.popLast() {
        // Symbolic links may loop back up the tree: each real directory is visited once.
        let real = url.resolvingSymlinksInPath().path
        guard seen.insert(real).inserted, seen.count <= 100_000 else { continue }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { continue }
        var holdsEvents = false
        for entry in entries {
            let child = url.appendingPathComponent(entry)
            var childIsDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: child.path, isDirectory: &childIsDirectory) else { continue }
            if childIsDirectory.boolValue {
                queue.append((name == "." ? entry : name + "/" + entry, child))
            } else if isEventFileName(entry) {
                holdsEvents = true
            }
        }
        if holdsEvents { runs.append(RunDirectory(name: name, url: url)) }
    }
    return runs.sorted { $0.name < $1.name }
}
