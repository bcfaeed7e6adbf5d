import Foundation
import TensorBoardFormat

/// Follows one TensorBoard run: every `*tfevents*` file in its directory, oldest first (a
/// restarted writer starts a new file; its steps going back purge what it writes again).
/// Scalars become scalar tags, images stay encoded until shown; histograms, text and the rest
/// are left to `gantop inspect`. A corrupt record is a warning on screen and reading goes on.
final class TensorBoardRunFollower: RunFollower {
    let directory: RunDirectory
    /// Seconds between looks for new event files in the run's directory.
    static let fileScanInterval = 3.0
    private var followers: [(url: URL, follower: EventFileFollower)] = []
    private var lastFileScan = -Double.infinity

    init(directory: RunDirectory) {
        self.directory = directory
    }

    func poll(into run: inout WatchedRun, now: Double) {
        if now - lastFileScan >= Self.fileScanInterval {
            lastFileScan = now
            scanFiles(into: &run, now: now)
        }
        for (url, follower) in followers {
            let resetsBefore = follower.resets
            do {
                for event in try follower.poll() { take(event, into: &run, now: now) }
            } catch {
                run.warn("\(error)")
            }
            if follower.resets > resetsBefore {
                run.notify("\(url.lastPathComponent) was replaced or truncated: read again from the start", now: now)
            }
            for warning in follower.takeWarnings() { run.warn(warning) }
            if let modified = Self.modificationTime(url) { run.lastChange = max(run.lastChange ?? modified, modified) }
        }
    }

    private func scanFiles(into run: inout WatchedRun, now: Double) {
        let files: [URL]
        do {
            files = try directory.eventFiles()
        } catch {
            run.warn("cannot list \(directory.name): \(error)")
            return
        }
        for url in files where !followers.contains(where: { $0.url == url }) {
            // A file turning up after the first look: a new writer (restarted or resumed run).
            if !followers.isEmpty { run.notify("new event file \(url.lastPathComponent)", now: now) }
            followers.append((url, EventFileFollower(url: url)))
        }
    }

    private func take(_ event: SummaryEvent, into run: inout WatchedRun, now: Double) {
        let step = Int(clamping: event.step)
        switch event.value {
        case .scalar(let value):
            run.addScalar(tag: event.tag, step: step, value: Float(value), now: now)
        case .image(let image):
            run.addImage(SampleRecord(tag: event.tag, step: step, payload: .png(image.encoded)), now: now)
        case .histogram, .other:
            return
        }
        // The writer's clock says when the value was logged (a buffered writer flushes later).
        run.lastChange = max(run.lastChange ?? event.wallTime, event.wallTime)
    }

    static func modificationTime(_ url: URL) -> Double? {
        (try? FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date)?.timeIntervalSince1970
    }
}
