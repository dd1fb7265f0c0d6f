import Foundation
import NeuralNet

/// The `train` stage (§2.4, Table 3, Fig. 11): each of the three networks on each fold, with the
/// preset's scale, epochs, batch size and learning rate, Nadam, and Table 3's augmentation.
///
/// Outputs `<model>/fold<k>/{best,last}.safetensors` and `history.json` (per-epoch training and
/// validation accuracy). An interrupted run leaves its partial folder; the next run resumes every
/// training from its last epoch checkpoint.
public enum TrainStage {
    public static let name = "train"

    /// The training configuration of `model` under `preset`.
    public static func config(_ model: ModelKind, preset: Preset) -> TrainingConfig {
        TrainingConfig(model: model,
                       scale: ModelScale(inputSize: preset.model.inputSize, widthMultiplier: preset.model.widthMultiplier,
                                         fpnFeatures: preset.model.fpnFeatures),
                       epochs: preset.training.epochs, batchSize: preset.training.batchSize,
                       learningRate: preset.training.learningRate, seed: preset.seed)
    }

    /// Folder of one training inside the stage's output.
    public static func folder(_ model: ModelKind, fold: Int) -> String { "\(model.rawValue)/fold\(fold)" }

    public static func definition(preset: Preset) -> StageDefinition {
        struct Configuration: Codable {
            var format = 1
            var configs: [TrainingConfig]
            var folds: Int
        }
        let configs = ModelKind.allCases.map { config($0, preset: preset) }
        let configuration = CanonicalJSON.encode(Configuration(configs: configs, folds: preset.folds))
        var definition = StageDefinition(name: name, upstream: [IndexStage.name, FoldsStage.name], configuration: configuration) { context in
            let dataset = try IndexStage.readDataset(from: context.upstream(IndexStage.name))
            let plan = try FoldsStage.readPlan(from: context.upstream(FoldsStage.name))
            for model in ModelKind.allCases {
                for fold in plan.folds {
                    let out = context.outputDirectory.appendingPathComponent(folder(model, fold: fold.index))
                    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
                    // Weights from the preset seed, the model and the fold: not from the stage key, which
                    // depends on where the data lives (the index records absolute paths).
                    var weights = SplitMix64(seed: preset.seed, stream: "weights/\(model.rawValue)/fold\(fold.index)")
                    let seed = weights.next()
                    _ = try FoldTraining.run(dataset: dataset, fold: fold, config: config(model, preset: preset),
                                             weightSeed: seed, outputDirectory: out)
                }
            }
        }
        // Histories hold per-epoch wall times; the weights alone identify the result.
        definition.isTimingRecord = { $0.hasSuffix(Trainer.historyFileName) }
        return definition
    }

    /// `model` at `preset`'s scale with the best checkpoint of `fold` from the stage's folder.
    public static func bestModel(_ model: ModelKind, fold: Int, preset: Preset, from directory: URL) throws -> Graph {
        let graph = try model.build(scale: config(model, preset: preset).scale, seed: 0)
        _ = try graph.loadWeights(from: directory.appendingPathComponent(folder(model, fold: fold))
            .appendingPathComponent(Trainer.bestFileName))
        return graph
    }

    /// The training history of one model and fold.
    public static func history(from directory: URL, model: ModelKind, fold: Int) throws -> TrainingHistory {
        try TrainingHistory.read(from: directory.appendingPathComponent(folder(model, fold: fold))
            .appendingPathComponent(Trainer.historyFileName))
    }
}
