import Analysis
import ArgumentParser
import Foundation
import Report

/// `paper-repro train`: trains one network on one fold (§2.4, Table 3).
///
/// With a preset (the default, `--preset default`), it runs that training's pipeline stage,
/// `train-<model>-fold<k>`, and the stages it needs, through the same cache as `paper-repro all`:
/// a finished training is reused, an interrupted one resumes. With `--out`, it is a standalone
/// training on a dataset folder with the scale and hyper-parameters given as options, writing
/// `best.safetensors`, `last.safetensors` and `history.json` to `--out`; rerunning resumes.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train one network on one fold (§2.4, Table 3): a preset's pipeline stage, or a standalone run with --out.",
        discussion: """
            Pipeline:   paper-repro train --model fpn --fold 3 [--preset default]
            Standalone: paper-repro train --model fpn --fold 3 --data DATASET --out DIR [--epochs 20 --input-size 128 …]
            Rerun either to resume an interrupted training from its last finished epoch.
            """
    )

    @Option(name: .long, help: "Network: fpn (the paper's ResNet50V2-FPN), resnet50v2 or xception.")
    var model: ModelKind = .resnet50v2FPN
    @Option(name: .long, help: "Fold, 1 to the preset's number of folds (5).")
    var fold = 1
    @Option(name: .long, help: "Preset name (a file <name>.json in --configs): its data, scale and training settings.")
    var preset: String = "default"
    @Option(name: .long, help: "Folder of preset files.")
    var configs: String = "configs"
    @Option(name: .long, help: "Stage cache root (as for `paper-repro all`).")
    var runs: String = "runs"
    @Option(name: .long, help: "Dataset root: the real COVID-CTset layout or a twin (see `paper-repro data index`).")
    var data: String?
    @OptionGroup var engine: EngineArguments
    @Option(
        name: .long,
        help:
            "With a preset: the slices to train on, labelled (all.csv, the paper's) or series-balanced (the dataset audit's FPN trainings, train-fpn-series-balanced-fold<k>). Default: the preset's."
    )
    var slices: TrainingSlices?
    @Flag(
        name: .long,
        help:
            "Share the stage cache with other `train` processes (a cluster job array): each stage is computed under its own lock instead of locking the whole cache."
    )
    var sharedCache = false

    @Option(name: .long, help: "Standalone training: output folder for weights and history (the options below apply only here).")
    var out: String?
    @Option(name: .long, help: "Epochs (Table 3: 50; the authors' code and Fig. 11: 20).")
    var epochs: Int?
    @Option(name: .long, help: "Input size in pixels (the paper: 512).")
    var inputSize: Int?
    @Option(name: .long, help: "Backbone width multiplier (1 = Keras's).")
    var width: Double?
    @Option(name: .long, help: "FPN features (the authors' code: 256).")
    var fpnFeatures: Int?
    @Option(name: .long, help: "Batch size (Table 3: 14).")
    var batch: Int?
    @Option(name: .long, help: "Nadam learning rate (Table 3: 1e-4).")
    var lr: Double?
    @Option(name: .long, help: "Input scaling: raw (the paper's), fixed (÷65535) or per-image-max.")
    var inputScaling: InputScaling?
    @Option(name: .long, help: "Augmentation: paper (Table 3) or none (an ablation).")
    var augmentation: AugmentationChoice?
    @Option(name: .long, help: "Validation images: test-subset (the paper's) or train-holdout.")
    var validation: ValidationSource?
    @Option(name: .long, help: "Seed of the weights, shuffles and augmentations.")
    var seed: UInt64?
    @Option(name: .long, help: "Seed of the fold plan.")
    var foldSeed: UInt64?
    @Option(name: .long, help: "Timing run: train on this many random images (no dataset) and 64 random validation images.")
    var synthetic: Int?

    /// Options given that only a standalone training (`--out`) uses.
    var standaloneOptionsGiven: [String] {
        [
            ("--epochs", epochs != nil), ("--input-size", inputSize != nil), ("--width", width != nil),
            ("--fpn-features", fpnFeatures != nil), ("--batch", batch != nil), ("--lr", lr != nil),
            ("--input-scaling", inputScaling != nil), ("--augmentation", augmentation != nil),
            ("--validation", validation != nil), ("--seed", seed != nil), ("--fold-seed", foldSeed != nil),
            ("--synthetic", synthetic != nil)
        ].filter(\.1).map(\.0)
    }

    func validate() throws {
        guard fold >= 1 else { throw ValidationError("--fold must be at least 1") }
        if out != nil, slices != nil || sharedCache {
            throw ValidationError("--slices and --shared-cache apply to a preset's training stage, not to a standalone training with --out")
        }
        if out == nil {
            let given = standaloneOptionsGiven
            guard given.isEmpty else {
                throw ValidationError(
                    "\(given.joined(separator: ", ")) only apply to a standalone training with --out; with a preset, the preset (configs/\(preset).json) decides"
                )
            }
            return
        }
        guard fold <= 5 else { throw ValidationError("--fold must be in 1...5") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
        if let width, width <= 0 { throw ValidationError("--width must be positive") }
        if let fpnFeatures, fpnFeatures < 1 { throw ValidationError("--fpn-features must be at least 1") }
        if let lr, lr <= 0 { throw ValidationError("--lr must be positive") }
        if model == .resnet50v2FPN, (inputSize ?? 512) < ResNet50V2FPN.minimumInput {
            throw ValidationError("the FPN needs --input-size ≥ \(ResNet50V2FPN.minimumInput)")
        }
        if let synthetic, synthetic < 1 { throw ValidationError("--synthetic must be at least 1") }
    }

    func run() throws {
        engine.apply()
        if let out { try runStandalone(out: out) } else { try runStage() }
    }

    /// Runs the preset's `train-<model>-fold<k>` stage through the cache.
    func runStage() throws {
        let loaded = try PresetInput.load(preset, configs: configs, data: data, runs: runs)
        guard fold <= loaded.folds else { throw ValidationError("--fold must be in 1...\(loaded.folds) (preset \(loaded.name))") }
        // Other slices than the preset's: one of the dataset audit's trainings.
        let audit = slices.flatMap { $0 == loaded.training.trainingSlices ? nil : $0 }
        if let audit {
            guard audit == SeriesBalanceStage.auditSlices(loaded), model == SeriesBalanceStage.model else {
                throw ValidationError(
                    "--slices \(audit.rawValue): the pipeline trains only \(SeriesBalanceStage.model.slug) on \(SeriesBalanceStage.auditSlices(loaded).rawValue) slices besides the preset's"
                )
            }
        }
        let display = TrainingDisplay(label: TrainStage.stageName(model, fold: fold, slices: audit))
        let stage = TrainStage.definition(
            model, fold: fold, preset: loaded, slices: audit, progress: { display.batch($0) },
            epochEnded: { display.epoch($0) })
        let config = TrainStage.config(model, preset: loaded, slices: audit)
        print(
            "\(stage.name): \(model.rawValue) at \(config.scale.inputSize) px, width \(config.scale.widthMultiplier), \(config.epochs) epochs, preset \(loaded.name)"
        )
        fflush(nil)
        try runReporting {
            let runner = try Pipeline.runner(
                preset: loaded, runsDirectory: URL(fileURLWithPath: runs), versions: RunFacts.versions(),
                sharedCache: sharedCache, replacing: [stage], onEvent: StageProgress().show)
            let results = try runner.run([stage.name])
            guard let result = results[stage.name] else { return }
            let history = try TrainingHistory.read(from: result.directory.appendingPathComponent(Trainer.historyFileName))
            if result.reused { print("cached: this training had already finished") }
            for r in history.records where result.reused { display.epoch(r) }
            if let best = history.bestEpoch, let acc = history.bestValidationAccuracy {
                print(
                    String(
                        format: "best epoch %d (validation accuracy %.4f): %@", best, acc,
                        result.directory.appendingPathComponent(Trainer.bestFileName).path))
            }
            print("history: \(result.directory.appendingPathComponent(Trainer.historyFileName).path)")
        }
    }

    /// A training outside the pipeline, configured by the options.
    func runStandalone(out: String) throws {
        let inputSize = inputSize ?? 512, width = width ?? 1, fpnFeatures = fpnFeatures ?? 256, seed = seed ?? 1
        let validation = validation ?? .testSubset
        let config = TrainingConfig(
            model: model, scale: ModelScale(inputSize: inputSize, widthMultiplier: width, fpnFeatures: fpnFeatures),
            epochs: epochs ?? 50, batchSize: batch ?? 14, learningRate: lr ?? 1e-4, seed: seed,
            augmentation: (augmentation ?? .paper).parameters, inputScaling: inputScaling ?? .raw)
        let outURL = URL(fileURLWithPath: out)
        let display = TrainingDisplay()
        try CLIErrors.mapped {
            let outcome: TrainingOutcome
            if let synthetic {
                let train = FoldTraining.syntheticSet(count: synthetic, size: inputSize, seed: seed)
                let val = FoldTraining.syntheticSet(count: 64, size: inputSize, seed: seed &+ 1)
                let graph = try config.model.build(scale: config.scale, seed: seed)
                print(
                    "\(config.model.rawValue) at \(inputSize) px, width \(width), FPN features \(fpnFeatures): \(graph.parameterCount) parameters; \(synthetic) random training images"
                )
                fflush(nil)
                outcome = try Trainer(config: config, graph: graph).train(
                    training: train, validation: val, outputDirectory: outURL,
                    progress: display.batch, epochEnded: display.epoch)
            } else {
                let dataset = try DatasetReader.read(root: try DataLocation.resolve(data), options: .init(checkSlices: false))
                let plan = FoldTraining.plan(dataset: dataset, seed: foldSeed ?? 1, validation: validation)
                guard plan.leaks().isEmpty else { throw ValidationError("fold plan leaks patients: \(plan.leaks())") }
                let f = plan.folds[fold - 1]
                print(
                    "fold \(fold): \(f.trainPatients.count) training and \(f.validationPatients.count) validation patients (\(validation.rawValue))"
                )
                fflush(nil)
                outcome = try FoldTraining.run(
                    dataset: dataset, fold: f, config: config, weightSeed: seed, outputDirectory: outURL,
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
final class TrainingDisplay: @unchecked Sendable {
    let tty = isatty(STDERR_FILENO) != 0
    /// Put before every line (e.g. the stage's name when `all` runs fifteen trainings).
    let label: String
    private var lastDraw = Date.distantPast

    init(label: String = "") { self.label = label.isEmpty ? "" : label + " " }

    /// The fifteen training stages of `preset`, each showing its progress under its own name.
    static func trainingStages(preset: Preset) -> [StageDefinition] {
        ModelKind.allCases.flatMap { model in
            (1...max(preset.folds, 1)).map { fold in
                let display = TrainingDisplay(label: TrainStage.stageName(model, fold: fold))
                return TrainStage.definition(
                    model, fold: fold, preset: preset, progress: { display.batch($0) },
                    epochEnded: { display.epoch($0) })
            }
        }
    }

    func batch(_ p: TrainingProgress) {
        guard tty, p.batch == p.batches || Date().timeIntervalSince(lastDraw) > 0.2 else { return }
        lastDraw = Date()
        let rate = Double(p.images) / max(p.epochSeconds, 1e-9)
        let left = Double(p.imagesInEpoch - p.images) / max(rate, 1e-9)
        let filled = 30 * p.images / max(p.imagesInEpoch, 1)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
        Console.error(
            String(
                format: "\r%@epoch %d/%d [%@] %d/%d  %.0f img/s  %.0f s left  loss %.4f  acc %.4f",
                label, p.epoch, p.epochs, bar, p.images, p.imagesInEpoch, rate, left, p.meanLoss, p.accuracy))
    }

    func epoch(_ r: EpochRecord) {
        let line = String(
            format: "epoch %d: loss %.4f acc %.4f  val_loss %.4f val_acc %.4f%@%@  %.1f s (%.0f img/s; data %.1f s, validation %.1f s)",
            r.epoch, r.trainLoss, r.trainAccuracy, r.validationLoss, r.validationAccuracy,
            r.validationAUC.map { String(format: " val_auc %.4f", $0) } ?? "", r.isBest ? " (best)" : "", r.seconds,
            Double(r.trainImages) / max(r.seconds, 1e-9),
            r.dataSeconds, r.validationSeconds)
        Console.error(((tty ? "\r\u{1B}[K" : "") + label + line + "\n"))
    }
}

/// The augmentation of a standalone training.
enum AugmentationChoice: String, ExpressibleByArgument, CaseIterable {
    case paper, none
    var parameters: AugmentationParameters { self == .paper ? .paper : .disabled }
}

extension InputScaling: ExpressibleByArgument {}
extension ValidationSource: ExpressibleByArgument {}
extension TrainingSlices: ExpressibleByArgument {}
