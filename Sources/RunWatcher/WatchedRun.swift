import Foundation
import GANView

/// Where a run's data comes from.
public enum RunKind: String, Sendable, Hashable {
    /// A directory of TensorBoard `*tfevents*` files (PyTorch, TF, Lightning, JAX…).
    case tensorboard
    /// A directory written by `gantop train --headless --out DIR` (losses.csv, samples-step*.png).
    case gantop

    /// The words on the status bar.
    public var label: String { self == .gantop ? "gantop run" : "tensorboard" }
}

/// A logged sample picture, kept encoded (a PNG in memory, or a file on disk) and decoded only
/// when shown: 64 encoded grids cost far less than 64 decoded ones.
public struct SampleRecord: Sendable, Equatable {
    public enum Payload: Sendable, Hashable {
        /// A PNG file written by gantop (`samples-step500.png`).
        case file(URL)
        /// A PNG from an event file (Summary.Image, or a TF2 image tensor's element).
        case png([UInt8])
    }

    public var tag: String
    public var step: Int
    public var payload: Payload

    public init(tag: String, step: Int, payload: Payload) {
        self.tag = tag
        self.step = step
        self.payload = payload
    }

    /// Memory this record holds (a file reference holds almost none).
    public var byteCount: Int {
        switch payload {
        case .file(let url): url.path.utf8.count
        case .png(let bytes): bytes.count
        }
    }
}

/// Steps of a tag went backwards: the writer restarted (or a second writer started in the run).
public struct RestartNote: Sendable, Equatable {
    public var tag: String
    public var fromStep: Int
    public var toStep: Int
    /// When it was noticed (seconds since 1970).
    public var noticedAt: Double
}

/// Everything kept of one watched run, with bounded memory: each scalar tag in a `ScalarSeries`
/// (at most `maxScalarTags` tags), the newest `maxImagesPerTag` images of at most `maxImageTags`
/// image tags, the last few warnings.
public struct WatchedRun: Sendable {
    public static let maxScalarTags = 512
    public static let maxImageTags = 8
    public static let maxImagesPerTag = 64
    public static let maxWarnings = 5
    /// Encoded images held per run, at most (the oldest of the fullest tag go first).
    public static let maxImageBytes = 64 << 20

    /// The directory's path relative to the watched directory ("." for the directory itself).
    public let name: String
    public let kind: RunKind
    public let directory: URL
    /// Scalar tags in the order first seen.
    public private(set) var scalarTags: [String] = []
    public private(set) var scalars: [String: ScalarSeries] = [:]
    public private(set) var imageTags: [String] = []
    public private(set) var images: [String: [SampleRecord]] = [:]
    /// The loss tags the source knows (gantop's d_loss/g_loss); nil: pick them from the names.
    public var knownLossTags: (d: String?, g: String?)?
    /// The newest step of any tag.
    public private(set) var lastStep: Int?
    /// When the run's files last changed (seconds since 1970): the newest event's wall time or
    /// the file's modification time, whichever is later.
    public var lastChange: Double?
    public private(set) var restart: RestartNote?
    /// Newest first.
    public private(set) var warnings: [String] = []
    /// The run cannot be read at all right now (its files vanished, say).
    public var failure: String?
    /// Tags beyond `maxScalarTags` are ignored: counted so the user can be told.
    public private(set) var droppedTags = 0

    public init(name: String, kind: RunKind, directory: URL) {
        self.name = name
        self.kind = kind
        self.directory = directory
    }

    /// One scalar value; a step below the tag's newest means a restart: the run's points and
    /// images from `step` on are dropped first, as TensorBoard purges orphaned data.
    public mutating func addScalar(tag: String, step: Int, value: Float, now: Double) {
        if scalars[tag] == nil {
            guard scalarTags.count < Self.maxScalarTags else { droppedTags += 1; return }
            scalarTags.append(tag)
            scalars[tag] = ScalarSeries()
        }
        if let last = scalars[tag]?.last?.step, step < last { noteRestart(tag: tag, from: last, to: step, now: now) }
        scalars[tag]?.append(step: step, value: value)
        lastStep = max(lastStep ?? step, step)
    }

    public mutating func addImage(_ record: SampleRecord, now: Double) {
        if images[record.tag] == nil {
            guard imageTags.count < Self.maxImageTags else { droppedTags += 1; return }
            imageTags.append(record.tag)
            images[record.tag] = []
        }
        if let last = images[record.tag]?.last?.step, record.step < last {
            noteRestart(tag: record.tag, from: last, to: record.step, now: now)
        }
        images[record.tag]?.append(record)
        if let n = images[record.tag]?.count, n > Self.maxImagesPerTag {
            images[record.tag]?.removeFirst(n - Self.maxImagesPerTag)
        }
        var bytes = imageBytes
        while bytes > Self.maxImageBytes, let fullest = images.max(by: { $0.value.count < $1.value.count }),
              fullest.value.count > 1 {
            bytes -= fullest.value[0].byteCount
            images[fullest.key]?.removeFirst()
        }
        lastStep = max(lastStep ?? record.step, record.step)
    }

    /// News that is not a problem (a new event file, a replaced file): shown for `noticeShownFor` s.
    public private(set) var notice: (text: String, at: Double)?
    public static let noticeShownFor = 60.0

    public mutating func notify(_ text: String, now: Double) {
        notice = (text, now)
    }

    /// A problem (a corrupt record, a malformed row): kept, newest first, until pushed out.
    public mutating func warn(_ text: String) {
        guard warnings.first != text else { return }
        warnings.insert(text, at: 0)
        if warnings.count > Self.maxWarnings { warnings.removeLast() }
    }

    /// Bytes held by the kept images (for the memory bound's tests).
    public var imageBytes: Int { images.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.byteCount } } }

    /// One tag going back means the writer started over: every tag's points and images from that
    /// step on are dropped, or the old run's later images and steps would outlive it on screen.
    private mutating func noteRestart(tag: String, from: Int, to: Int, now: Double) {
        restart = RestartNote(tag: tag, fromStep: from, toStep: to, noticedAt: now)
        for name in scalarTags { scalars[name]?.purge(fromStep: to) }
        for name in imageTags { images[name]?.removeAll { $0.step >= to } }
        // The run's newest step is the newest that is left.
        lastStep = (scalars.values.compactMap { $0.last?.step } + images.values.compactMap { $0.last?.step }).max()
    }
}
