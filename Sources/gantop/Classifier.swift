import ArgumentParser
import Foundation
import GANTraining

/// `gantop classifier …`: the digit classifier that judges G's samples (see the quality meter).
struct Classifier: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "Train or evaluate gantop's MNIST digit classifier (the judge of the quality meter).",
        subcommands: [ClassifierTrain.self, ClassifierEval.self])
}

struct ClassifierTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the digit classifier on MNIST and save its weights (safetensors).",
        discussion: "The defaults reproduce the shipped \(MNISTClassifier.defaultAssetPath).")

    @Option(help: ArgumentHelp("Where to write the weights.", valueName: "file"))
    var out = MNISTClassifier.defaultAssetPath

    @Option(parsing: .unconditional, help: "Passes over the 60,000 training images.")
    var epochs = ClassifierTrainingConfiguration().epochs

    @Option(parsing: .unconditional, help: "Seed of the initial weights, the data order, the shifts and dropout.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Hidden layer sizes, comma-separated (the last is the feature size).", valueName: "sizes"))
    var hidden = ClassifierTrainingConfiguration().hiddenSizes.map(String.init).joined(separator: ",")

    @Option(parsing: .unconditional, help: "Dropout rate on the features during training.")
    var dropout = ClassifierTrainingConfiguration().dropout

    @Option(name: .customLong("max-shift"), parsing: .unconditional, help: "Random translation of the training images, ± pixels.")
    var maxShift = ClassifierTrainingConfiguration().maxShift

    @OptionGroup var data: DataOptions

    var hiddenSizes: [Int] { hidden.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        guard (1 ... 1000).contains(epochs) else { throw ValidationError("--epochs must be between 1 and 1000 (got \(epochs))") }
        let sizes = hiddenSizes
        guard !sizes.isEmpty, sizes.count == hidden.split(separator: ",").count, sizes.allSatisfy({ (1 ... 8192).contains($0) }) else {
            throw ValidationError("--hidden must be sizes between 1 and 8192 separated by commas (got '\(hidden)')")
        }
        guard dropout.isFinite, (0 ..< 1).contains(dropout) else { throw ValidationError("--dropout must be in [0, 1) (got \(dropout))") }
        guard (0 ... 8).contains(maxShift) else { throw ValidationError("--max-shift must be between 0 and 8 (got \(maxShift))") }
        try OutputPath.check(out, option: "--out")
    }

    func run() throws {
        let folder = try MNISTLocator.locate(explicit: data.directory)
        let training = try data.loadTrainingImages()
        let test = try MNISTLoader.loadTestImages(from: folder)
        var configuration = ClassifierTrainingConfiguration()
        configuration.epochs = epochs
        configuration.hiddenSizes = hiddenSizes
        configuration.dropout = dropout
        configuration.maxShift = maxShift
        let trainer = try ClassifierTrainer(configuration: configuration, images: training, seed: seed)
        let start = Date()
        printLine("training a \(([784] + hiddenSizes + [10]).map(String.init).joined(separator: "→")) classifier on \(training.count) images, \(epochs) epochs, seed \(seed)")
        var accuracy = 0.0
        for _ in 0 ..< epochs {
            let s = trainer.trainEpoch()
            accuracy = try trainer.trainedClassifier().accuracy(on: test)
            printLine("epoch \(s.epoch)/\(epochs)  loss \(fixed(s.loss, 4))  train \(percent(s.trainAccuracy))  test \(percent(accuracy))"
                      + "  lr \(String(format: "%.2e", s.learningRate))  \(fixed(Float(s.seconds), 1)) s")
        }
        let seconds = Date().timeIntervalSince(start)
        var command = "gantop classifier train --epochs \(epochs) --seed \(seed)"
        if configuration.hiddenSizes != ClassifierTrainingConfiguration().hiddenSizes { command += " --hidden \(hidden)" }
        if dropout != ClassifierTrainingConfiguration().dropout { command += " --dropout \(dropout)" }
        if maxShift != ClassifierTrainingConfiguration().maxShift { command += " --max-shift \(maxShift)" }
        let metadata = [
            "test_accuracy": String(format: "%.4f", accuracy), "epochs": "\(epochs)", "seed": "\(seed)",
            "training_images": "\(training.count)", "train_seconds": String(format: "%.0f", seconds),
            "dropout": "\(dropout)", "max_shift": "\(maxShift)", "command": command,
        ]
        let url = URL(fileURLWithPath: out)
        try trainer.trainedClassifier().save(to: url, metadata: metadata)
        printLine("test accuracy \(percent(accuracy)) after \(fixed(Float(seconds), 0)) s; wrote \(out)")
    }
}

struct ClassifierEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Print the classifier's accuracy on the 10,000 MNIST test images.")

    @Option(help: ArgumentHelp("Classifier weights (default: $GANTOP_CLASSIFIER, then ./\(MNISTClassifier.defaultAssetPath)).", valueName: "file"))
    var weights: String?

    @Option(name: .customLong("data"), help: ArgumentHelp("Folder with the MNIST .gz files.", valueName: "dir"))
    var directory: String?

    func run() throws {
        let url = try MNISTClassifier.locateWeights(explicit: weights)
        let classifier = try MNISTClassifier.load(from: url, maxRows: 1000)
        let test = try MNISTLoader.loadTestImages(from: try MNISTLocator.locate(explicit: directory))
        guard let labels = test.labels else { throw DataError("the test labels file is missing (t10k-labels-idx1-ubyte.gz)") }
        let result = classifier.classify(test)
        let predictions = result.predictions
        let correct = zip(predictions, labels).filter { $0.0 == Int($0.1) }.count
        printLine("test accuracy \(percent(Double(correct) / Double(test.count))) (\(correct)/\(test.count)) with \(url.path)")
        var perClass: [String] = []
        for digit in 0 ..< MNISTClassifier.classCount {
            let indices = labels.indices.filter { Int(labels[$0]) == digit }
            let hits = indices.filter { predictions[$0] == digit }.count
            perClass.append("\(digit): \(percent(Double(hits) / Double(max(indices.count, 1))))")
        }
        printLine("per class  " + perClass.joined(separator: "  "))
        let m = QualityMeasurement(result)
        printLine("MNIST score of the test digits \(String(format: "%.3f", m.score)) (the top a generator can expect; 10 is the maximum),"
                  + " confidence \(String(format: "%.3f", m.confidence))")
    }
}

/// "98.71 %"
private func percent(_ fraction: Double) -> String { String(format: "%.2f %%", 100 * fraction) }
