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
public enum TrainStage {
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
        struct Configuration: Codable {
            var format = 2
            var config: TrainingConfig
            var fold: Int
            var weightSeed: UInt64
        }
        let seed = weightSeed(model, fold: fold, preset: preset)
        let trainingConfig = config(model, preset: preset, slices: slices)
        let configuration = CanonicalJSON.encode(Configuration(config: trainingConfig, fold: fold, weightSeed: seed))
        let balanced = trainingConfig.slices == .seriesBalanced
        let name = stageName(model, fold: fold, slices: slices)
        var definition = StageDefinition(
            name: name,
            upstream: [IndexStage.name, FoldsStage.name] + (balanced ? [SelectionStage.name] : []),
            configuration: configuration
        ) { context in
            let dataset = try IndexStage.readDataset(from: context.upstream(IndexStage.name))
            let plan = try FoldsStage.readPlan(from: context.upstream(FoldsStage.name))
            guard let f = plan.folds.first(where: { $0.index == fold }) else {
                throw PipelineError.stageFailed(stage: name, reason: "the fold plan has folds \(plan.folds.map(\.index)), not \(fold)")
            }
            let selected = balanced ? try SelectionStage.read(from: context.upstream(SelectionStage.name)).keptImageNumbers : nil
            _ = try FoldTraining.run(
                dataset: dataset, fold: f, config: trainingConfig, weightSeed: seed,
                outputDirectory: context.outputDirectory, selected: selected,
                progress: progress, epochEnded: epochEnded)
        }
        // Histories hold per-epoch wall times; the weights alone identify the result.
        definition.isTimingRecord = { $0.hasSuffix(Trainer.historyFileName) }
        return definition
    }

    /// The collecting stage: the best weights and history of every training of `preset`.
    public static func definition(preset: Preset) -> StageDefinition {
        struct Configuration: Codable { var format = 2; var trainings: [String] }
        let names = stageNames(preset: preset)
        var definition = StageDefinition(
            name: name, upstream: names,
            configuration: CanonicalJSON.encode(Configuration(trainings: names))
        ) { context in
            for model in ModelKind.allCases {
                for fold in 1...max(preset.folds, 1) {
                    let source = context.upstream(stageName(model, fold: fold))
                    let out = context.outputDirectory.appendingPathComponent(folder(model, fold: fold))
                    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
                    for file in [Trainer.bestFileName, Trainer.historyFileName] {
                        try link(source.appendingPathComponent(file), to: out.appendingPathComponent(file))
                    }
                }
            }
        }
        definition.isTimingRecord = { $0.hasSuffix(Trainer.historyFileName) }
        return definition
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
        let graph = try model.build(scale: config(model, preset: preset).scale, seed: 0)
        _ = try graph.loadWeights(
            from: directory.appendingPathComponent(folder(model, fold: fold))
                .appendingPathComponent(Trainer.bestFileName))
        return graph
    }

    /// The training history of one model and fold.
    public static func history(from directory: URL, model: ModelKind, fold: Int) throws -> TrainingHistory {
        try TrainingHistory.read(
            from: directory.appendingPathComponent(folder(model, fold: fold))
                .appendingPathComponent(Trainer.historyFileName))
    }
}
