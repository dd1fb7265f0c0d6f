import Analysis
import ArgumentParser
import Foundation

/// `paper-repro train`: trains one network on one fold (§2.4, Table 3) and writes
/// `best.safetensors`, `last.safetensors` and `history.json` to `--out`; rerunning resumes.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train one network on one fold (§2.4, Table 3); rerun to resume an interrupted training."
    )

    enum Model: String, ExpressibleByArgument, CaseIterable {
        case fpn = "resnet50v2-fpn", resnet50v2, xception
        var kind: ModelKind {
            switch self { case .fpn: .resnet50v2FPN; case .resnet50v2: .resnet50v2; case .xception: .xception }
        }
    }

    @Option(name: .long, help: "Dataset root (see `paper-repro data index`).")
    var data: String?
    @Option(name: .long, help: "Network: resnet50v2-fpn (the paper's), resnet50v2 or xception.")
    var model: Model = .fpn
    @Option(name: .long, help: "Fold, 1-5.")
    var fold = 1
    @Option(name: .long, help: "Epochs (Table 3: 50; the authors' code and Fig. 11: 20).")
    var epochs = 50
    @Option(name: .long, help: "Input size in pixels (the paper: 512).")
    var inputSize = 512
    @Option(name: .long, help: "Backbone width multiplier (1 = Keras's).")
    var width = 1.0
    @Option(name: .long, help: "FPN features (the authors' code: 256).")
    var fpnFeatures = 256
    @Option(name: .long, help: "Batch size (Table 3: 14).")
    var batch = 14
    @Option(name: .long, help: "Nadam learning rate (Table 3: 1e-4).")
    var lr = 1e-4
    @Option(name: .long, help: "Input scaling: raw (the paper's), fixed (÷65535) or per-image-max.")
    var inputScaling: InputScaling = .raw
    @Option(name: .long, help: "Validation images: test-subset (the paper's) or train-holdout.")
    var validation: ValidationSource = .testSubset
    @Option(name: .long, help: "Output folder for weights and history.")
    var out: String
    @Option(name: .long, help: "Seed of the weights, shuffles and augmentations.")
    var seed: UInt64 = 1
    @Option(name: .long, help: "Seed of the fold plan.")
    var foldSeed: UInt64 = 1
    @Option(name: .long, help: "Timing run: train on this many random images (no dataset) and 64 random validation images.")
    var synthetic: Int?

    func validate() throws {
        guard (1...5).contains(fold) else { throw ValidationError("--fold must be in 1...5") }
        guard epochs >= 1, batch >= 1 else { throw ValidationError("--epochs and --batch must be at least 1") }
        guard width > 0, fpnFeatures >= 1, lr > 0 else { throw ValidationError("--width, --fpn-features and --lr must be positive") }
        if model == .fpn, inputSize < ResNet50V2FPN.minimumInput {
            throw ValidationError("the FPN needs --input-size ≥ \(ResNet50V2FPN.minimumInput)")
        }
        if let synthetic, synthetic < 1 { throw ValidationError("--synthetic must be at least 1") }
    }

    func run() throws {
        let config = TrainingConfig(model: model.kind, scale: ModelScale(inputSize: inputSize, widthMultiplier: width, fpnFeatures: fpnFeatures),
                                    epochs: epochs, batchSize: batch, learningRate: lr, seed: seed, inputScaling: inputScaling)
        let outURL = URL(fileURLWithPath: out)
        let display = TrainingDisplay()
        try CLIErrors.mapped {
            let outcome: TrainingOutcome
            if let synthetic {
                let train = FoldTraining.syntheticSet(count: synthetic, size: inputSize, seed: seed)
                let val = FoldTraining.syntheticSet(count: 64, size: inputSize, seed: seed &+ 1)
                let graph = try config.model.build(scale: config.scale, seed: seed)
                print("\(config.model.rawValue) at \(inputSize) px, width \(width), FPN features \(fpnFeatures): \(graph.parameterCount) parameters; \(synthetic) random training images")
                fflush(stdout)
                outcome = try Trainer(config: config, graph: graph).train(training: train, validation: val, outputDirectory: outURL,
                                                                          progress: display.batch, epochEnded: display.epoch)
            } else {
                let dataset = try DatasetReader.read(root: try DataLocation.resolve(data), options: .init(checkSlices: false))
                let plan = FoldTraining.plan(dataset: dataset, seed: foldSeed, validation: validation)
                guard plan.leaks().isEmpty else { throw ValidationError("fold plan leaks patients: \(plan.leaks())") }
                let f = plan.folds[fold - 1]
                print("fold \(fold): \(f.trainPatients.count) training and \(f.validationPatients.count) validation patients (\(validation.rawValue))")
                fflush(stdout)
                outcome = try FoldTraining.run(dataset: dataset, fold: f, config: config, weightSeed: seed, outputDirectory: outURL,
                                               progress: display.batch, epochEnded: display.epoch)
            }
            if outcome.resumedAfterEpoch > 0 { print("resumed after epoch \(outcome.resumedAfterEpoch)") }
            if let best = outcome.history.bestEpoch, let acc = outcome.history.bestValidationAccuracy {
                print(String(format: "best epoch %d (validation accuracy %.4f): %@", best, acc, outcome.bestWeights.path))
            }
            print("history: \(outcome.historyFile.path)")
        }
    }
}

/// Progress on stderr: a bar per epoch with images per second and time left on a terminal,
/// one plain line per epoch otherwise.
final class TrainingDisplay {
    let tty = isatty(fileno(stderr)) != 0
    private var lastDraw = Date.distantPast

    func batch(_ p: TrainingProgress) {
        guard tty, p.batch == p.batches || Date().timeIntervalSince(lastDraw) > 0.2 else { return }
        lastDraw = Date()
        let rate = Double(p.images) / max(p.epochSeconds, 1e-9)
        let left = Double(p.imagesInEpoch - p.images) / max(rate, 1e-9)
        let filled = 30 * p.images / max(p.imagesInEpoch, 1)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
        FileHandle.standardError.write(Data(String(format: "\repoch %d/%d [%@] %d/%d  %.0f img/s  %.0f s left  loss %.4f  acc %.4f",
                                                  p.epoch, p.epochs, bar, p.images, p.imagesInEpoch, rate, left,
                                                  p.meanLoss, p.accuracy).utf8))
    }

    func epoch(_ r: EpochRecord) {
        let line = String(format: "epoch %d: loss %.4f acc %.4f  val_loss %.4f val_acc %.4f%@  %.1f s (%.0f img/s; data %.1f s, validation %.1f s)",
                          r.epoch, r.trainLoss, r.trainAccuracy, r.validationLoss, r.validationAccuracy,
                          r.isBest ? " (best)" : "", r.seconds, Double(r.trainImages) / max(r.seconds, 1e-9),
                          r.dataSeconds, r.validationSeconds)
        FileHandle.standardError.write(Data(((tty ? "\r\u{1B}[K" : "") + line + "\n").utf8))
    }
}

extension InputScaling: ExpressibleByArgument {}
extension ValidationSource: ExpressibleByArgument {}
