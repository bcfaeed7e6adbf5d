import Foundation
import TensorBoardFormat

/// Reads one run's files into its `WatchedRun`, a little more each poll.
protocol RunFollower: AnyObject {
    func poll(into run: inout WatchedRun, now: Double)
}

/// What the watcher knows about every run under the directory, as of one poll.
public struct WatchSnapshot: Sendable {
    /// Sorted by name.
    public var runs: [WatchedRun] = []
    /// The directory given to `gantop watch`, as typed.
    public var logdir: String
    /// A problem with the directory itself (it vanished, cannot be listed); nil: none.
    public var failure: String?
    /// When this was taken (seconds since 1970).
    public var takenAt: Double
    /// How many polls went into it (the UI redraws when it changes).
    public var version: Int

    public init(logdir: String, runs: [WatchedRun] = [], failure: String? = nil, takenAt: Double = 0, version: Int = 0) {
        self.logdir = logdir
        self.runs = runs
        self.failure = failure
        self.takenAt = takenAt
        self.version = version
    }
}

/// Finds the runs under a directory and follows each of them. Every directory holding
/// `*tfevents*` files is a TensorBoard run, every other one holding gantop's losses.csv or
/// samples-step*.png a gantop run; both are named by their path relative to
/// the watched directory ("." for the directory itself), as TensorBoard names runs.
/// Not thread-safe: one thread polls (see `WatchWorker`).
public final class LogdirWatcher {
    public let root: URL
    public let logdir: String
    /// Seconds between looks for new runs.
    public var rescanInterval: Double = 3
    /// Discovery descends at most this deep and looks at most at this many directories.
    static let maxDepth = 6, maxDirectories = 20_000
    private var runs: [String: (run: WatchedRun, follower: RunFollower)] = [:]
    private var lastScan = -Double.infinity
    private var version = 0
    private var failure: String?

    public init(logdir: String) {
        self.logdir = logdir
        root = URL(fileURLWithPath: logdir).standardizedFileURL
    }

    /// Looks for new runs (every `rescanInterval`), then reads what each run added. A slow poll
    /// (a first read of large event files) hands `progress` a snapshot after each run it finished,
    /// so the runs already read can be shown.
    public func poll(now: Double = Date().timeIntervalSince1970,
                     progress: ((WatchSnapshot) -> Void)? = nil) -> WatchSnapshot {
        let started = Date()
        if now - lastScan >= rescanInterval {
            lastScan = now
            discover()
        }
        for name in runs.keys.sorted() {
            guard var entry = runs[name] else { continue }
            entry.follower.poll(into: &entry.run, now: now)
            runs[name] = entry
            if let progress, Date().timeIntervalSince(started) > 0.25 { progress(snapshot(now: now)) }
        }
        return snapshot(now: now)
    }

    private func snapshot(now: Double) -> WatchSnapshot {
        version += 1
        return WatchSnapshot(logdir: logdir, runs: runs.keys.sorted().map { runs[$0]!.run }, failure: failure,
                             takenAt: now, version: version)
    }

    private func discover() {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            failure = "\(logdir) is not a directory (any more)"
            return
        }
        failure = nil
        do {
            for directory in try discoverRuns(under: root) where runs[directory.name]?.run.kind != .tensorboard {
                // A directory holding both (gantop train --out D --tensorboard D) is read as TensorBoard:
                // the event files hold everything losses.csv does and the images too.
                runs[directory.name] = (WatchedRun(name: directory.name, kind: .tensorboard, directory: directory.url),
                                        TensorBoardRunFollower(directory: directory))
            }
        } catch {
            failure = "\(error)"
        }
        for (relative, url) in Self.gantopRunDirectories(under: root) where runs[relative] == nil {
            runs[relative] = (WatchedRun(name: relative, kind: .gantop, directory: url), GantopRunFollower(directory: url))
        }
    }

    /// Every directory under `root` (itself included) that gantop wrote a run into, by relative path.
    static func gantopRunDirectories(under root: URL) -> [(String, URL)] {
        var found: [(String, URL)] = []
        var queue: [(String, URL, Int)] = [(".", root, 0)]
        var next = 0
        let fm = FileManager.default
        while next < queue.count, next < maxDirectories {
            let (relative, url, depth) = queue[next]
            next += 1
            guard let names = try? fm.contentsOfDirectory(atPath: url.path) else { continue }
            if GantopRunFollower.isRunDirectory(names) { found.append((relative, url)) }
            guard depth < maxDepth else { continue }
            for name in names.sorted() where !name.hasPrefix(".") {
                let child = url.appendingPathComponent(name)
                var isDirectory: ObjCBool = false
                // Symbolic links are not followed: a link back up would loop.
                guard let attributes = try? fm.attributesOfItem(atPath: child.path),
                      attributes[.type] as? FileAttributeType == .typeDirectory,
                      fm.fileExists(atPath: child.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
                queue.append((relative == "." ? name : relative + "/" + name, child, depth + 1))
            }
        }
        return found
    }
}
