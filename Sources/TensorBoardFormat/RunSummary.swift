import Foundation
import GANFormats

/// What one run's event files hold, tag by tag: what `gantop inspect` prints, like
/// `tensorboard --inspect`.
public struct RunSummary: Codable, Equatable, Sendable {
    public struct Tag: Codable, Equatable, Sendable {
        public var tag: String
        /// scalar, image, histogram or other.
        public var kind: String
        /// For `other`: the plugin (`text`, `audio`, …) or `tensor`.
        public var plugin: String?
        public var count: Int
        public var firstStep: Int64
        public var lastStep: Int64
    }

    public var run: String
    public var files: [String]
    public var events: Int
    public var tags: [Tag]
    public var dLoss: String?
    public var gLoss: String?
    public var samples: String?
    /// Times a writer (re)started (SessionLog.START), and files read again after being rewritten.
    public var sessionStarts: Int
    public var warnings: [String]

    /// Reads every event file of `run` to its end. Throws the first corrupt record's one-line error.
    public static func read(_ run: RunDirectory, dTag: String? = nil, gTag: String? = nil) throws -> RunSummary {
        var byTag: [String: Tag] = [:]
        var order: [String] = []
        var events = 0, sessionStarts = 0
        var warnings: [String] = []
        let files = try run.eventFiles()
        for file in files {
            let follower = EventFileFollower(url: file)
            while true {
                let batch = try follower.poll(maxBytesPerPoll: 4 << 20)  // small batches: memory stays flat
                if batch.isEmpty { break }
                events += batch.count
                for event in batch {
                    if var known = byTag[event.tag] {
                        known.count += 1
                        known.firstStep = min(known.firstStep, event.step)
                        known.lastStep = max(known.lastStep, event.step)
                        byTag[event.tag] = known
                    } else {
                        var plugin: String?
                        if case .other(let name) = event.value { plugin = name }
                        byTag[event.tag] = Tag(tag: event.tag, kind: event.value.kind, plugin: plugin, count: 1,
                                               firstStep: event.step, lastStep: event.step)
                        order.append(event.tag)
                    }
                }
            }
            sessionStarts += follower.sessionStarts
            warnings += follower.takeWarnings()
        }
        let kinds = ["scalar", "image", "histogram", "other"]
        let tags = order.map { byTag[$0]! }.sorted {
            ($0.kind == $1.kind) ? $0.tag < $1.tag : kinds.firstIndex(of: $0.kind)! < kinds.firstIndex(of: $1.kind)!
        }
        let scalars = tags.filter { $0.kind == "scalar" }.map(\.tag)
        let picked = LossTagPicker.pick(tags: scalars, dTag: dTag, gTag: gTag)
        return RunSummary(run: run.name, files: files.map(\.lastPathComponent), events: events, tags: tags,
                          dLoss: picked.d, gLoss: picked.g,
                          samples: SampleTagPicker.pick(imageTags: tags.filter { $0.kind == "image" }.map(\.tag)),
                          sessionStarts: sessionStarts, warnings: warnings)
    }

    /// The run as a few aligned lines of text.
    public func describe() -> String {
        var lines = ["run \(run == "." ? ". (the log directory itself)" : run): \(files.count) event file\(files.count == 1 ? "" : "s"), \(events) value\(events == 1 ? "" : "s")"]
        let kindWidth = max(4, tags.map { $0.kind.count + ($0.plugin.map { $0.count + 3 } ?? 0) }.max() ?? 0)
        let tagWidth = max(3, tags.map(\.tag.count).max() ?? 0)
        let pad = { (s: String, n: Int) in s + String(repeating: " ", count: max(0, n - s.count)) }
        let left = { (s: String, n: Int) in String(repeating: " ", count: max(0, n - s.count)) + s }
        lines.append("  " + pad("kind", kindWidth) + "  " + pad("tag", tagWidth) + "  " + left("count", 7) + "  steps")
        for t in tags {
            let kind = t.kind + (t.plugin.map { " (\($0))" } ?? "")
            let steps = t.firstStep == t.lastStep ? "\(t.firstStep)" : "\(t.firstStep)–\(t.lastStep)"
            lines.append("  " + pad(kind, kindWidth) + "  " + pad(t.tag, tagWidth) + "  " + left(String(t.count), 7) + "  " + steps)
        }
        lines.append("  D loss: \(dLoss ?? "(none found)")   G loss: \(gLoss ?? "(none found)")   samples: \(samples ?? "(none found)")")
        if sessionStarts > 0 { lines.append("  writer (re)started \(sessionStarts) time\(sessionStarts == 1 ? "" : "s")") }
        lines += warnings.map { "  warning: \($0)" }
        return lines.joined(separator: "\n")
    }

    /// JSON with snake_case keys, for scripts.
    public static func json(_ summaries: [RunSummary], logdir: String) -> String {
        struct Report: Codable {
            var logdir: String
            var runs: [RunSummary]
        }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(Report(logdir: logdir, runs: summaries))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
