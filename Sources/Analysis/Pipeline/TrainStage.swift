import AtomicFiles
import Foundation
import NeuralNet

/// The training stages (§2.4, Table 3, Fig. 11): each of the three networks on each fold is its
/// own stage, `train-<model>-fold<k>` (`train-fpn-fold3`), with the preset's scale, epochs, batch
/// size, learning rate and augmentation (`Preset.Training.augmentation`), and Nadam (the only
/// optimizer a preset may name; `Preset.load` rejects others). A training stage depends only on
/// the index and the fold plan, so one training can be run, rerun or resumed alone
/// (`paper-repro train --model fpn --fold 3`) and the others stay cached.
///
/// A training stage writes `best.safetensors`, `last.safetensors` (the resume point) and
/// `history.json` (per-epoch training and validation accuracy). An interrupted training leaves its
/// partial folder and the next run resumes it from its last epoch checkpoint.
///
/// The `train` stage collects the fifteen: `<model>/fold<k>/{best.safetensors,history.json}`,
/// hard links to the trainings' files (copies where links are impossible), so downstream stages
/// read every network from one folder.
public enum TrainStage: Stage {
    /// The collecting stage's name.
    public static let name = "train"

    /// The name of the stage that trains `model` on fold `fold` (1-based); with `slices`, the
    /// dataset audit's training on those slices instead of the preset's
    /// (`train-fpn-series-balanced-fold3`).
    public static func stageName(_ model: ModelKind, fold: Int, slices: TrainingSlices? = nil) -> String {
        slices.map { "train-\(model.slug)-\($0.rawValue)-fold\(fold)" } ?? "train-\(model.slug)-fold\(fold)"
    }

    /// Every training stage of `preset`, models in `ModelKind.allCases` order, folds ascending.
    public static func stageNames(preset: Preset) -> [String] {
        ModelKind.allCases.flatMap { m in (1...max(preset.folds, 1)).map { stageName(m, fold: $0) } }
    }

    /// The training configuration of `model` under `preset`: its scale, schedule, seed and
    /// augmentation. Every consumer that builds a network or a training from a preset takes it
    /// from here, so the stage key (which hashes it) changes with any of those fields.
    public static func config(_ model: ModelKind, preset: Preset, slices: TrainingSlices? = nil) -> TrainingConfig {
        TrainingConfig(
            model: model,
            scale: ModelScale(
                inputSize: preset.model.inputSize, widthMultiplier: preset.model.widthMultiplier,
                fpnFeatures: preset.model.fpnFeatures, batchNormMomentum: preset.model.batchNormMomentum),
            epochs: preset.training.epochs, batchSize: preset.training.batchSize,
            learningRate: preset.training.learningRate, seed: preset.seed,
            augmentation: preset.training.augmentation,
            trainingSlices: slices ?? preset.training.trainingSlices,
            learningRateSchedule: preset.training.schedule)
    }

    /// Folder of one training inside the collecting stage's output.
    public static func folder(_ model: ModelKind, fold: Int) -> String { "\(model.rawValue)/fold\(fold)" }

    /// The seed of `model`'s initial weights on `fold`: from the preset seed, the model and the
    /// fold — not from the stage key, which depends on where the data live (the index records
    /// absolute paths).
    public static func weightSeed(_ model: ModelKind, fold: Int, preset: Preset) -> UInt64 {
        var weights = SplitMix64(seed: preset.seed, stream: "weights/\(model.rawValue)/fold\(fold)")
        return weights.next()
    }

    /// The stage training `model` on fold `fold` of `preset`. `progress` and `epochEnded` see
    /// the training as it runs (they do not change the stage's key or outputs).
    /// With `slices`, the stage trains on those slices instead of the preset's (`stageName`).
    public static func definition(
        _ model: ModelKind, fold: Int, preset: Preset, slices: TrainingSlices? = nil,
        progress: (@Sendable (TrainingProgress) -> Void)? = nil,
        epochEnded: (@Sendable (EpochRecord) -> Void)? = nil
    ) -> StageDefinition {
        let config = TrainingStage.Config(
            config: config(model, preset: preset, slices: slices), fold: fold, weightSeed: weightSeed(model, fold: fold, preset: preset))
        let work: (@Sendable (TrainingStage.Config, StageContext) throws -> Void)? =
            progress == nil && epochEnded == nil
            ? nil
            : { @Sendable config, context in try TrainingStage.train(config, in: context, progress: progress, epochEnded: epochEnded) }
        var definition = StageDefinition(
            TrainingStage.self, name: stageName(model, fold: fold, slices: slices),
            upstream: TrainingStage.upstream(config), config: config, work: work)
        // Histories hold per-epoch wall times; the weights alone identify the result.
        definition.isTimingRecord = { $0.hasSuffix(Trainer.historyFileName) }
        return definition
    }

    /// The collecting stage's configuration: the trainings it collects.
    public struct Config: Codable, Sendable, Equatable {
        var format = 3
        /// Each training: its model and fold, and the name of its stage.
        public var trainings: [Collected]
    }

    /// One training the collecting stage holds.
    public struct Collected: Codable, Sendable, Equatable {
        public var model: ModelKind
        public var fold: Int
        public var stage: String
    }

    /// What the collecting stage holds: each training's configuration, as the training stage
    /// recorded it (its `stage.json`), and its folder with `best.safetensors` and `history.json`.
    public struct Output: Sendable {
        public var directory: URL
        public var trainings: [TrainingStage.Config]

        /// The recorded configuration of `model` on `fold`.
        public func config(_ model: ModelKind, fold: Int) -> TrainingConfig? {
            trainings.first { $0.config.model == model && $0.fold == fold }?.config
        }

        /// The recorded configuration of `model` on `fold`; an error naming the folder when
        /// the collecting stage holds no such training.
        public func require(_ model: ModelKind, fold: Int) throws -> TrainingConfig {
            guard let config = config(model, fold: fold) else {
                throw PipelineError.io(
                    file: directory.appendingPathComponent(TrainStage.trainingsFile).path,
                    reason: "no training of \(model.rawValue) on fold \(fold)")
            }
            return config
        }
    }

    /// File of the collecting stage with every training's recorded configuration.
    public static let trainingsFile = "trainings.json"

    /// The collecting stage: the best weights and history of every training of `preset`.
    public static func definition(preset: Preset) -> StageDefinition {
        let trainings = ModelKind.allCases.flatMap { m in
            (1...max(preset.folds, 1)).map { Collected(model: m, fold: $0, stage: stageName(m, fold: $0)) }
        }
        var definition = StageDefinition(TrainStage.self, upstream: trainings.map(\.stage), config: Config(trainings: trainings))
        definition.isTimingRecord = { $0.hasSuffix(Trainer.historyFileName) }
        return definition
    }

    public static func run(_ config: Config, in context: StageContext) throws {
        var recorded: [TrainingStage.Config] = []
        for t in config.trainings {
            let source = context.upstream(t.stage)
            let out = context.outputDirectory.appendingPathComponent(folder(t.model, fold: t.fold))
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            for file in [Trainer.bestFileName, Trainer.historyFileName] {
                try link(source.appendingPathComponent(file), to: out.appendingPathComponent(file))
            }
            recorded.append(try TrainingStage.recordedConfig(StageRecord.read(from: source)))
        }
        try writeTrainings(recorded, to: context.outputDirectory)
    }

    /// Writes the collecting stage's record of the trainings' configurations into `directory`.
    public static func writeTrainings(_ trainings: [TrainingStage.Config], to directory: URL) throws {
        try AtomicFile.write(CanonicalJSON.encodePretty(trainings), to: directory.appendingPathComponent(trainingsFile))
    }

    public static func read(from directory: URL) throws -> Output {
        Output(
            directory: directory,
            trainings: try IndexStage.read([TrainingStage.Config].self, directory.appendingPathComponent(trainingsFile)))
    }

    /// All sixteen stage definitions of `preset`: the fifteen trainings, then the collector.
    public static func definitions(preset: Preset) -> [StageDefinition] {
        ModelKind.allCases.flatMap { m in (1...max(preset.folds, 1)).map { definition(m, fold: $0, preset: preset) } }
            + [definition(preset: preset)]
    }

    /// A hard link at `destination` to `source`, or a copy when the file system refuses links.
    static func link(_ source: URL, to destination: URL) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: source.path) else {
            throw PipelineError.io(file: source.path, reason: "a finished training has no such file")
        }
        try? fm.removeItem(at: destination)
        do { try fm.linkItem(at: source, to: destination) } catch {
            do { try fm.copyItem(at: source, to: destination) } catch {
                throw PipelineError.io(file: destination.path, reason: "cannot link or copy \(source.path): \(error)")
            }
        }
    }

    /// `model` at `preset`'s scale with the best checkpoint of `fold` from the stage's folder.
    public static func bestModel(_ model: ModelKind, fold: Int, preset: Preset, from directory: URL) throws -> Graph {
        try bestModel(config(model, preset: preset), fold: fold, from: directory)
    }

    /// The network `config` describes with the best checkpoint of `fold` from the collecting
    /// stage's folder.
    public static func bestModel(_ config: TrainingConfig, fold: Int, from directory: URL) throws -> Graph {
        try TrainingStage.bestModel(config, from: directory.appendingPathComponent(folder(config.model, fold: fold)))
    }

    /// The training history of one model and fold.
    public static func history(from directory: URL, model: ModelKind, fold: Int) throws -> TrainingHistory {
        try TrainingHistory.read(
            from: directory.appendingPathComponent(folder(model, fold: fold))
                .appendingPathComponent(Trainer.historyFileName))
    }
}

/// One training stage, `train-<model>-fold<k>`: `FoldTraining` on one fold with one
/// `TrainingConfig` (`TrainStage.definition(_:fold:preset:slices:progress:epochEnded:)` makes it).
public enum TrainingStage: Stage {
    public static let name = "train-fold"

    /// The training's whole configuration: network, scale, schedule, augmentation, slices, and
    /// the fold and the seed of the initial weights.
    public struct Config: Codable, Sendable, Equatable {
        var format = 2
        public var config: TrainingConfig
        public var fold: Int
        public var weightSeed: UInt64

        public init(config: TrainingConfig, fold: Int, weightSeed: UInt64) {
            self.config = config
            self.fold = fold
            self.weightSeed = weightSeed
        }
    }

    /// What one training leaves: its history and where its best weights are.
    public struct Output: Sendable {
        public var history: TrainingHistory
        public var bestWeights: URL
    }

    /// The stages a training reads: the index and the folds, and the selection when it trains
    /// on series-balanced slices.
    static func upstream(_ config: Config) -> [String] {
        [IndexStage.name, FoldsStage.name] + (config.config.slices == .seriesBalanced ? [SelectionStage.name] : [])
    }

    public static func run(_ config: Config, in context: StageContext) throws {
        try train(config, in: context, progress: nil, epochEnded: nil)
    }

    /// The training, with observers of its progress.
    static func train(
        _ config: Config, in context: StageContext, progress: (@Sendable (TrainingProgress) -> Void)?,
        epochEnded: (@Sendable (EpochRecord) -> Void)?
    ) throws {
        let dataset = try IndexStage.readDataset(from: context.upstream(IndexStage.name))
        let plan = try FoldsStage.readPlan(from: context.upstream(FoldsStage.name))
        guard let f = plan.folds.first(where: { $0.index == config.fold }) else {
            throw PipelineError.stageFailed(
                stage: context.stage, reason: "the fold plan has folds \(plan.folds.map(\.index)), not \(config.fold)")
        }
        let selected =
            config.config.slices == .seriesBalanced
            ? try SelectionStage.read(from: context.upstream(SelectionStage.name)).keptImageNumbers : nil
        _ = try FoldTraining.run(
            dataset: dataset, fold: f, config: config.config, weightSeed: config.weightSeed,
            outputDirectory: context.outputDirectory, selected: selected,
            progress: progress, epochEnded: epochEnded)
    }

    public static func read(from directory: URL) throws -> Output {
        Output(
            history: try TrainingHistory.read(from: directory.appendingPathComponent(Trainer.historyFileName)),
            bestWeights: directory.appendingPathComponent(Trainer.bestFileName))
    }

    /// The network `config` describes with the best checkpoint in `directory`.
    public static func bestModel(_ config: TrainingConfig, from directory: URL) throws -> Graph {
        let graph = try config.model.build(scale: config.scale, seed: 0)
        _ = try graph.loadWeights(from: directory.appendingPathComponent(Trainer.bestFileName))
        return graph
    }
}
