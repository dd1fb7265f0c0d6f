import AtomicFiles
import Foundation
import NeuralNet

/// The `input-scaling` stage: ablations of the network input and of the augmentation (§2.1,
/// §2.4). The paper feeds the stored 16-bit values unscaled and argues against dividing each
/// image by its own maximum. This stage trains `model` on fold 1 again with the inputs divided
/// by 65535 (`fixed`), by each image's maximum (`per-image-max`), and with the stored values but
/// no augmentation (how much Table 3's augmentation slows learning in a short budget) — same
/// preset, weight seed and batches as the training stage's run — and evaluates each on fold 1's
/// test images. The paper's configuration (raw, augmented) is read from the `train` and
/// `evaluate` stages, not trained again.
///
/// Output `ablation.json`: `[InputScalingStage.Row]`, the paper's configuration first.
public enum InputScalingStage: Stage {
    public static let name = "input-scaling"
    public static let file = "ablation.json"
    /// The network compared. ResNet50V2: in reduced runs the FPN's heads (initialised at
    /// N(0, 0.001)) often stay at chance for the first epochs, which would hide any effect of
    /// the input.
    public static let model = ModelKind.resnet50v2
    public static let fold = 1

    public struct Row: Codable, Equatable, Sendable {
        public let scaling: InputScaling
        /// Whether Table 3's augmentation was on.
        public let augmented: Bool
        public let counts: ConfusionCounts
        public let auc: Double?
        public let bestEpoch: Int?
        public let bestValidationAccuracy: Double?
        /// The validation AUC after each epoch (nil where the validation images hold one class).
        public let validationAUCs: [Double?]
    }

    /// The trained variants besides the paper's configuration: (input scaling, augmented).
    public static let variants: [(scaling: InputScaling, augmented: Bool)] = [(.fixed, true), (.perImageMax, true), (.raw, false)]

    /// The folder of a variant inside the stage's output.
    static func folder(_ scaling: InputScaling, augmented: Bool) -> String {
        scaling.rawValue + (augmented ? "" : "-no-augmentation")
    }

    /// The network and fold retrained, the preset's training configuration of that network
    /// (each variant changes its scaling or augmentation) and the seed of its initial weights.
    public struct Config: Codable, Sendable, Equatable {
        var format = 3
        public var model = InputScalingStage.model
        public var fold = InputScalingStage.fold
        public var config: TrainingConfig
        public var weightSeed: UInt64
    }

    public static func definition(preset: Preset) -> StageDefinition {
        var definition = StageDefinition(
            InputScalingStage.self, upstream: [IndexStage.name, FoldsStage.name, TrainStage.name, EvaluateStage.name],
            config: Config(
                config: TrainStage.config(model, preset: preset), weightSeed: TrainStage.weightSeed(model, fold: fold, preset: preset)))
        definition.isTimingRecord = { $0.hasSuffix(Trainer.historyFileName) }
        return definition
    }

    public static func run(_ config: Config, in context: StageContext) throws {
        let dataset = try IndexStage.readDataset(from: context.upstream(IndexStage.name))
        let plan = try FoldsStage.readPlan(from: context.upstream(FoldsStage.name))
        guard let f = plan.folds.first(where: { $0.index == config.fold }) else {
            throw PipelineError.stageFailed(stage: name, reason: "no fold \(config.fold)")
        }
        var rows: [Row] = []
        let evaluations = try EvaluateStage.read(from: context.upstream(EvaluateStage.name))
        if let raw = evaluations.first(where: { $0.model == config.model && $0.fold == config.fold }) {
            let h = try TrainStage.history(from: context.upstream(TrainStage.name), model: config.model, fold: config.fold)
            rows.append(
                Row(
                    scaling: .raw, augmented: true, counts: raw.counts, auc: raw.auc, bestEpoch: h.bestEpoch,
                    bestValidationAccuracy: h.bestValidationAccuracy, validationAUCs: h.records.map(\.validationAUC)))
        }
        for (scaling, augmented) in variants {
            var training = config.config
            training.inputScaling = scaling
            if !augmented { training.augmentation = .disabled }
            let out = context.outputDirectory.appendingPathComponent(folder(scaling, augmented: augmented))
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            _ = try FoldTraining.run(dataset: dataset, fold: f, config: training, weightSeed: config.weightSeed, outputDirectory: out)
            let graph = try TrainingStage.bestModel(training, from: out)
            let test = try ImageSet.load(
                try ImageSet.records(dataset: dataset, patients: f.testPatients), preparation: training.preparation)
            let result = EvaluateStage.evaluate(graph, test, model: config.model, fold: config.fold, batch: training.evaluationBatchSize)
            let h = try TrainingHistory.read(from: out.appendingPathComponent(Trainer.historyFileName))
            rows.append(
                Row(
                    scaling: scaling, augmented: augmented, counts: result.counts, auc: result.auc,
                    bestEpoch: h.bestEpoch, bestValidationAccuracy: h.bestValidationAccuracy,
                    validationAUCs: h.records.map(\.validationAUC)))
        }
        try AtomicFile.write(CanonicalJSON.encodePretty(rows), to: context.outputDirectory.appendingPathComponent(file))
    }

    public static func read(from directory: URL) throws -> [Row] {
        try IndexStage.read([Row].self, directory.appendingPathComponent(file))
    }
}
