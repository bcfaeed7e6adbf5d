import Foundation
import GANFormats

/// The run directory and everything written into it: checkpoints, sample grids, losses.csv.
///
/// The directory is created on the first save, so a quick look at gantop leaves no clutter.
/// Until then the loss rows are kept in memory and written with the first save; from then on
/// each step's row is appended and flushed as it happens, so a kill loses nothing finished.
/// Every other file is written to a temporary name, flushed and renamed.
public final class RunOutput {
    public let directory: URL
    private var log: CSVLog?
    private var pending: [StepStats] = []
    /// The step of the last successful save (a quit right after a periodic save need not repeat it).
    public private(set) var lastSavedStep: Int?
    /// How many saves were tried, and every one that failed, in order. A failed save leaves the
    /// previous files intact and training may go on, but a run that lost one must not end as a
    /// success: the commands look here before they choose their exit status.
    public private(set) var saveAttempts = 0
    public private(set) var failedSaves: [SaveFailure] = []
    public static let lossColumns = ["step", "epoch", "d_loss", "g_loss", "d_real", "d_fake"]
    /// events.csv: what the user changed while training (learning rates, k, lone D/G updates),
    /// so a run's losses can be read against them. Kept in memory until the first save too.
    private var eventLog: CSVLog?
    private var pendingEvents: [[CSVValue]] = []
    public static let eventColumns = ["step", "event", "value"]

    public init(directory: URL) {
        self.directory = directory
    }

    /// `runs/YYYYMMDD-HHMMSS` under the working directory.
    public static func defaultDirectory(now: Date = Date()) -> URL {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyyMMdd-HHmmss"
        return URL(fileURLWithPath: "runs").appendingPathComponent(f.string(from: now))
    }

    /// Records one step's losses (appended to losses.csv once the directory exists).
    public func record(_ stats: StepStats) {
        // A failed append (disk full) is retried with the next save rather than stopping training;
        // the rows after it wait with it, so that losses.csv stays in step order.
        guard let log, pending.isEmpty else {
            pending.append(stats)
            return
        }
        do { try log.append(Self.row(stats)) } catch { pending.append(stats) }
    }

    /// Records one user change at whole-step `step` (appended to events.csv once the directory exists).
    public func recordEvent(step: Int, event: String, value: String) {
        let row: [CSVValue] = [.int(step), .string(event), .string(value)]
        guard log != nil, pendingEvents.isEmpty else {
            pendingEvents.append(row)
            return
        }
        do {
            try openEventLog()
            try eventLog?.append(row)
        } catch {
            pendingEvents.append(row)
        }
    }

    private func openEventLog() throws {
        if eventLog == nil {
            eventLog = try CSVLog(url: directory.appendingPathComponent("events.csv"), columns: Self.eventColumns)
        }
    }

    private static func row(_ s: StepStats) -> [CSVValue] {
        [.int(s.step), .int(s.epoch), .float(s.dLoss), .float(s.gLoss), .float(s.dReal), .float(s.dFake)]
    }

    /// Writes a checkpoint (and `checkpoint-latest`, a hard link to it), the 4×4 sample grid and the
    /// losses so far. Refuses to save non-finite weights: the last good checkpoint stays the last one.
    /// A failure is thrown and also kept in `failedSaves`.
    /// - Returns: the files written, checkpoint first.
    @discardableResult
    public func save(gan: any GANModel, latents: [Float], digits: [Float], extraTensors: [String: Tensor] = [:],
                     extraMetadata: [String: String] = [:]) throws -> [URL] {
        try recordingFailure(step: gan.step) {
            try write(gan: gan, latents: latents, digits: digits, extraTensors: extraTensors, extraMetadata: extraMetadata)
        }
    }

    /// Runs one save, counting it and keeping its error if it fails.
    private func recordingFailure<T>(step: Int, _ body: () throws -> T) throws -> T {
        saveAttempts += 1
        do {
            return try body()
        } catch {
            failedSaves.append(SaveFailure(step: step, error: "\(error)"))
            throw error
        }
    }

    private func write(gan: any GANModel, latents: [Float], digits: [Float], extraTensors: [String: Tensor],
                       extraMetadata: [String: String]) throws -> [URL] {
        guard gan.stateIsFinite else {
            throw FormatError(file: "", "not saved: the weights or Adam's moments hold NaN or Inf (training diverged at or before step \(gan.step))")
        }
        try Directory.create(directory)
        try openLog()
        let step = gan.step
        let checkpoint = Checkpoint.make(gan: gan, latents: latents, extraTensors: extraTensors, extraMetadata: extraMetadata)
        let bytes = checkpoint.encode()
        let named = directory.appendingPathComponent("checkpoint-step\(step).safetensors")
        let latest = directory.appendingPathComponent("checkpoint-latest.safetensors")
        try AtomicFile.write(bytes, to: named)
        // A second name for the same 30 MB rather than a second copy (a copy where links cannot be made).
        try AtomicFile.link(latest, to: named, orCopy: bytes)
        let png = directory.appendingPathComponent("samples-step\(step).png")
        try SampleGrid.image(digits: digits, columns: 4).write(to: png)
        lastSavedStep = step
        return [named, latest, png, directory.appendingPathComponent("losses.csv")]
    }

    /// A save as the trainers make it: the 1-D GAN carried along, and, with a quality meter, the
    /// Fréchet distance measured first so that it lands in the checkpoint's metadata and events.csv.
    public func save(gan: any GANModel, latents: [Float], digits: [Float], gan1d: Gan1D?,
                     meter: QualityMeter?) throws -> (files: [URL], frechetDistance: Double?) {
        try recordingFailure(step: gan.step) {
            var metadata = gan1d?.checkpointMetadata ?? [:]
            let fd = gan.stateIsFinite ? try meter?.frechetDistanceToTestSet() : nil
            if let fd { metadata["frechet_distance"] = "\(fd)" }
            let files = try write(gan: gan, latents: latents, digits: digits,
                                  extraTensors: gan1d?.checkpointTensors() ?? [:], extraMetadata: metadata)
            if let fd { recordEvent(step: gan.step, event: "frechet_distance", value: String(format: "%.2f", fd)) }
            return (files, fd)
        }
    }

    /// At the end of a run: the loss and event rows that an append could not write since the last
    /// save (a full disk, say) are tried once more, so that they are not lost without a word when no
    /// final save follows (`--no-save-on-quit`). Still failing, that counts as a failed save at `step`.
    public func finish(step: Int) {
        guard log != nil, !pending.isEmpty || !pendingEvents.isEmpty else { return }
        _ = try? recordingFailure(step: step) { try openLog() }
    }

    private func openLog() throws {
        if !pendingEvents.isEmpty {
            try openEventLog()
            try Self.drain(&pendingEvents) { try eventLog?.append($0) }
        }
        if log == nil {
            log = try CSVLog(url: directory.appendingPathComponent("losses.csv"), columns: Self.lossColumns)
        }
        guard let log else { return }
        try Self.drain(&pending) { try log.append(Self.row($0)) }
    }

    /// Writes the waiting rows in order; those written are dropped even when a later one fails,
    /// so a retry neither loses nor repeats a row.
    private static func drain<Row>(_ rows: inout [Row], _ write: (Row) throws -> Void) throws {
        var written = 0
        defer { rows.removeFirst(written) }
        for row in rows {
            try write(row)
            written += 1
        }
    }
}

/// A save that failed: at which step, and its one-line error.
public struct SaveFailure: Equatable, Sendable {
    public let step: Int
    public let error: String

    public init(step: Int, error: String) {
        self.step = step
        self.error = error
    }
}

/// Digits laid out as a grid picture: 28 px each, 2 px grey borders, 8-bit grayscale.
public enum SampleGrid {
    public static let border = 2
    public static let borderGrey: UInt8 = 96

    /// - Parameter digits: count × 784 values in [-1, 1]; pixel = round((x + 1) · 127.5).
    public static func image(digits: [Float], columns: Int) -> PNGImage {
        let side = MNISTImages.side, n = digits.count / MNISTImages.pixelsPerImage
        let rows = (n + columns - 1) / columns
        let width = columns * side + (columns + 1) * border, height = rows * side + (rows + 1) * border
        var pixels = [UInt8](repeating: borderGrey, count: width * height)
        for i in 0 ..< n {
            let ox = border + (i % columns) * (side + border), oy = border + (i / columns) * (side + border)
            for y in 0 ..< side {
                for x in 0 ..< side {
                    pixels[(oy + y) * width + ox + x] = byte(digits[i * MNISTImages.pixelsPerImage + y * side + x])
                }
            }
        }
        return PNGImage(width: width, height: height, colorType: .gray, pixels: pixels)
    }

    /// [-1, 1] → 0…255 (clamped; NaN → 0).
    @inlinable
    public static func byte(_ x: Float) -> UInt8 {
        let v = ((x + 1) * 127.5).rounded()
        return v.isNaN ? 0 : UInt8(min(max(v, 0), 255))
    }
}
