import Foundation

/// Polls a `LogdirWatcher` on its own thread (about once a second) and keeps the latest
/// snapshot for the UI, which never waits for the disk: a first read of a 100 MB event file
/// happens here, not between two frames.
public final class WatchWorker: @unchecked Sendable {
    private let watcher: LogdirWatcher
    private let pollInterval: Double
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var latest: WatchSnapshot
    private var stopping = false
    private var finished = false

    public init(watcher: LogdirWatcher, pollInterval: Double = 1) {
        self.watcher = watcher
        self.pollInterval = pollInterval
        latest = WatchSnapshot(logdir: watcher.logdir)
    }

    public func start() {
        let thread = Thread { [self] in
            while true {
                let snapshot = watcher.poll { [self] partial in
                    condition.lock()
                    latest = partial
                    condition.unlock()
                }
                condition.lock()
                latest = snapshot
                let deadline = Date().addingTimeInterval(pollInterval)
                while !stopping && Date() < deadline { _ = condition.wait(until: deadline) }
                let stop = stopping
                condition.unlock()
                if stop { break }
            }
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "gantop-watch"
        thread.start()
    }

    /// The newest snapshot (the first poll's result once it is done; empty before).
    public func snapshot() -> WatchSnapshot {
        condition.lock()
        defer { condition.unlock() }
        return latest
    }

    /// Asks the thread to stop and waits until it has (it finishes the poll it is in).
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
