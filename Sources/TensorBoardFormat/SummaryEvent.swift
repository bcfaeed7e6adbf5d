/// One value of one tag at one step, as TensorBoard shows it.
public struct SummaryEvent: Equatable, Sendable {
    /// Seconds since the Unix epoch when the writer logged it.
    public var wallTime: Double
    public var step: Int64
    /// For an event holding several images (TF2 `tf.summary.image` with `max_outputs` > 1),
    /// the first keeps the tag and the others get `tag/1`, `tag/2`, …
    public var tag: String
    public var value: SummaryValue

    public init(wallTime: Double, step: Int64, tag: String, value: SummaryValue) {
        self.wallTime = wallTime
        self.step = step
        self.tag = tag
        self.value = value
    }
}

public enum SummaryValue: Equatable, Sendable {
    case scalar(Double)
    case image(EncodedImage)
    case histogram
    /// Anything else, named by its plugin (`text`, `audio`, `pr_curves`, …) or `tensor`.
    case other(String)

    /// The kind's name as `inspect` lists it.
    public var kind: String {
        switch self {
        case .scalar: "scalar"
        case .image: "image"
        case .histogram: "histogram"
        case .other: "other"
        }
    }
}

/// An image as the event file holds it: still encoded (PNG), decoded only when drawn.
public struct EncodedImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// Summary.Image's colour space: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA (0 when unknown).
    public var colorspace: Int
    public var encoded: [UInt8]

    public init(width: Int, height: Int, colorspace: Int, encoded: [UInt8]) {
        self.width = width
        self.height = height
        self.colorspace = colorspace
        self.encoded = encoded
    }
}
