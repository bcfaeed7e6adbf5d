import GANFormats

/// Turns one serialized `Event` into summary events.
///
/// Field numbers are TensorBoard's (tensorboard/compat/proto/event.proto, summary.proto,
/// tensor.proto). Stateful only in `pluginByTag`: writers put a tag's metadata (which plugin
/// it belongs to) on its first value only, so later values are known by the tag alone.
public struct EventParser {
    /// What one record held besides its summary values.
    public struct Record {
        public var wallTime: Double = 0
        public var step: Int64 = 0
        public var events: [SummaryEvent] = []
        /// `SessionLog.START`: the writer (re)started; steps may go backwards after it.
        public var sessionStart = false
        public var fileVersion: String?
        /// Values that were present but unusable, in one line each (bad tensors, …).
        public var warnings: [String] = []
    }

    public private(set) var pluginByTag: [String: String] = [:]

    public init() {}

    /// Parses `bytes[range]` (a whole buffer by default), for example a record's data.
    public mutating func parse(_ bytes: [UInt8], _ range: Range<Int>? = nil) throws -> Record {
        var reader = ProtoReader(bytes, range ?? 0..<bytes.count)
        var record = Record()
        // `summary` is a oneof member: the last one wins (no array to allocate per record).
        var summaryRange: Range<Int>?
        while let field = try reader.next() {
            switch (field.number, field.value) {
            case (1, .fixed64(let bits)): record.wallTime = Double(bitPattern: bits)
            case (2, .varint(let v)): record.step = Int64(bitPattern: v)
            case (3, .bytes(let r)): record.fileVersion = reader.string(r)
            case (5, .bytes(let r)): summaryRange = r
            case (7, .bytes(let r)):
                var log = reader.reader(r)
                while let f = try log.next() { if f.number == 1, f.value.asVarint == 1 { record.sessionStart = true } }
            default: break
            }
        }
        if let r = summaryRange {
            var summary = reader.reader(r)
            while let field = try summary.next() {
                guard field.number == 1, let valueRange = field.value.asRange else { continue }
                try parseValue(reader.reader(valueRange), into: &record)
            }
        }
        return record
    }

    private mutating func parseValue(_ message: ProtoReader, into record: inout Record) throws {
        var reader = message
        var tag = ""
        var plugin: String?
        var dataClass: UInt64 = 0
        var content: ValueContent?
        while let field = try reader.next() {
            switch (field.number, field.value) {
            case (1, .bytes(let r)): tag = reader.string(r)
            case (9, .bytes(let r)): (plugin, dataClass) = try Self.metadata(reader.reader(r))
            case (2, .fixed32(let bits)): content = .simple(Float(bitPattern: bits))
            case (3, _), (5, _): content = .histogram
            case (4, .bytes(let r)): content = .image(try Self.image(reader.reader(r)))
            case (6, _): content = .other("audio")
            case (8, .bytes(let r)): content = .tensor(try TensorValue(reader.reader(r)))
            default: break
            }
        }
        if plugin == nil, dataClass == 1 { plugin = "scalars" }
        if let plugin { pluginByTag[tag] = plugin }
        let kind = pluginByTag[tag]
        // One warning a line, as they are shown: the tag is outside bytes and may hold line breaks.
        func warn(_ text: String) { record.warnings.append(FormatError(file: "", text).description) }
        func add(_ tag: String, _ value: SummaryValue) {
            record.events.append(SummaryEvent(wallTime: record.wallTime, step: record.step, tag: tag, value: value))
        }
        switch content {
        case nil: break
        case .simple(let v): add(tag, .scalar(Double(v)))
        case .histogram: add(tag, .histogram)
        case .image(let image): add(tag, .image(image))
        case .other(let name): add(tag, .other(name))
        case .tensor(let tensor):
            switch kind {
            case "scalars", nil:
                if let v = tensor.scalar { add(tag, .scalar(v)) }
                else if kind == nil { add(tag, .other("tensor")) }
                else { warn("\(tag) at step \(record.step): scalar tensor with dtype \(tensor.dtype), shape \(tensor.shape)") }
            case "images":
                let images = tensor.imageStrings()
                if images.isEmpty { warn("\(tag) at step \(record.step): image tensor without [width, height, image…] strings") }
                for (i, image) in images.enumerated() { add(i == 0 ? tag : "\(tag)/\(i)", .image(image)) }
            case "histograms": add(tag, .histogram)
            case let other?: add(tag, .other(other))
            }
        }
    }

    private enum ValueContent {
        case simple(Float)
        case histogram
        case image(EncodedImage)
        case tensor(TensorValue)
        case other(String)
    }

    /// SummaryMetadata: the plugin's name (PluginData field 1) and the data class.
    private static func metadata(_ message: ProtoReader) throws -> (String?, UInt64) {
        var reader = message
        var plugin: String?
        var dataClass: UInt64 = 0
        while let field = try reader.next() {
            switch (field.number, field.value) {
            case (1, .bytes(let r)):
                var data = reader.reader(r)
                while let f = try data.next() { if f.number == 1, let name = f.value.asRange { plugin = data.string(name) } }
            case (4, .varint(let v)): dataClass = v
            default: break
            }
        }
        return (plugin.flatMap { $0.isEmpty ? nil : $0 }, dataClass)
    }

    /// Summary.Image: height 1, width 2, colorspace 3, encoded_image_string 4.
    private static func image(_ message: ProtoReader) throws -> EncodedImage {
        var reader = message
        var image = EncodedImage(width: 0, height: 0, colorspace: 0, encoded: [])
        while let field = try reader.next() {
            switch (field.number, field.value) {
            case (1, .varint(let v)): image.height = Int(truncatingIfNeeded: v)
            case (2, .varint(let v)): image.width = Int(truncatingIfNeeded: v)
            case (3, .varint(let v)): image.colorspace = Int(truncatingIfNeeded: v)
            case (4, .bytes(let r)): image.encoded = reader.bytes(r)
            default: break
            }
        }
        return image
    }
}
