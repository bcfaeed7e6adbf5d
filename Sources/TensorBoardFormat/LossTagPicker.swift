/// Finds the discriminator's and generator's loss among a run's scalar tags.
///
/// Tags are split into lower-case words at `/`, `_`, `.`, `-`, spaces and camelCase humps
/// (`errD` → err, d). A D-loss tag has a loss word and a D word and no G word (and the other
/// way round). Among several, the one with the fewest other words wins (`Loss/D/loss` over
/// `Loss/D/reg`, `d_loss` over `d_loss_real`), then the earliest in `tags`.
public enum LossTagPicker {
    static let lossWords: Set<String> = ["loss", "losses", "err", "error", "errors"]
    static let discriminatorWords: Set<String> = ["d", "disc", "dis", "discriminator", "critic", "netd"]
    static let generatorWords: Set<String> = ["g", "gen", "generator", "netg"]
    /// Words that say nothing about which loss it is: they do not count against a tag.
    static let neutralWords: Set<String> = ["net", "epoch", "train", "training", "step", "batch", "total", "mean", "avg", "scalar", "scalars"]
    /// Fused spellings seen in the wild, split the way they are meant.
    static let fused: [String: [String]] = [
        "errd": ["err", "d"], "errg": ["err", "g"], "lossd": ["loss", "d"], "lossg": ["loss", "g"],
        "dloss": ["d", "loss"], "gloss": ["g", "loss"],
    ]

    /// The D and G tags to chart. An explicit `dTag` / `gTag` wins when it names one of `tags`
    /// (exactly, or else ignoring case, returning the run's spelling); one that names none gives nil.
    public static func pick(tags: [String], dTag: String? = nil, gTag: String? = nil) -> (d: String?, g: String?) {
        (choose(tags, explicit: dTag, own: discriminatorWords, other: generatorWords),
         choose(tags, explicit: gTag, own: generatorWords, other: discriminatorWords))
    }

    private static func choose(_ tags: [String], explicit: String?, own: Set<String>, other: Set<String>) -> String? {
        if let explicit {
            return tags.first { $0 == explicit } ?? tags.first { $0.lowercased() == explicit.lowercased() }
        }
        var best: (tag: String, extra: Int)?
        for tag in tags {
            let words = self.words(tag)
            guard words.contains(where: lossWords.contains), words.contains(where: own.contains),
                  !words.contains(where: other.contains) else { continue }
            let extra = words.filter { !lossWords.contains($0) && !own.contains($0) && !neutralWords.contains($0) }.count
            if best == nil || extra < best!.extra { best = (tag, extra) }
        }
        return best?.tag
    }

    static func words(_ tag: String) -> [String] {
        var words: [String] = []
        var current = ""
        let characters = Array(tag)
        for (i, c) in characters.enumerated() {
            if !(c.isLetter || c.isNumber) {
                if !current.isEmpty { words.append(current) }
                current = ""
                continue
            }
            if !current.isEmpty, c.isUppercase {
                let previous = characters[i - 1]
                let nextIsLower = i + 1 < characters.count && characters[i + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) {
                    words.append(current)
                    current = ""
                }
            }
            current.append(c)
        }
        if !current.isEmpty { words.append(current) }
        return words.flatMap { fused[$0.lowercased()] ?? [$0.lowercased()] }
    }
}

/// Finds the tag of the generated samples among a run's image tags.
public enum SampleTagPicker {
    static let preferred = ["sample", "fake", "generated", "gen", "output", "image", "grid"]

    /// The first tag naming samples (by the words above, in that order of preference), else the first tag.
    public static func pick(imageTags: [String]) -> String? {
        for word in preferred {
            if let tag = imageTags.first(where: { $0.lowercased().contains(word) }) { return tag }
        }
        return imageTags.first
    }
}
