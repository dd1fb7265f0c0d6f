import AtomicFiles
import Foundation
import NeuralNet

/// Image-level results of one network on one fold's test images (§3.1, Table 8).
public struct FoldEvaluation: Codable, Equatable, Sendable {
    public let model: ModelKind
    public let fold: Int
    public let counts: ConfusionCounts
    /// Area under the ROC curve of P(COVID); nil when the test side lacks a class.
    public let auc: Double?
    /// P(COVID) and truth per test image, in test-set order (for ROC curves and bootstraps).
    public let covidProbabilities: [Double]
    public let truths: [ClassLabel]
    public let patients: [String]
}

/// The `evaluate` stage: each fold's best checkpoint classifies the fold's test images — the
/// expert-labelled slices of its test patients, as Table 2 counts them.
public enum EvaluateStage: Stage {
    public static let name = "evaluate"
    public static let file = "evaluation.json"

    /// The decision threshold; the networks and their input preparation are the ones the
    /// trainings recorded (`TrainStage.Output`).
    public struct Config: Codable, Sendable, Equatable {
        var format = 2
        public var threshold = ClassDecision.threshold
    }

    public static func definition(preset: Preset) -> StageDefinition {
        StageDefinition(EvaluateStage.self, upstream: [IndexStage.name, FoldsStage.name, TrainStage.name], config: Config())
    }

    public static func run(_ config: Config, in context: StageContext) throws {
        let dataset = try IndexStage.readDataset(from: context.upstream(IndexStage.name))
        let plan = try FoldsStage.readPlan(from: context.upstream(FoldsStage.name))
        let trained = try TrainStage.read(from: context.upstream(TrainStage.name))
        // Each fold's test images are read once per input preparation and classified by the three networks.
        var byKey: [String: FoldEvaluation] = [:]
        for fold in plan.folds {
            let records = try ImageSet.records(dataset: dataset, patients: fold.testPatients)
            var loaded: [InputPreparation: ImageSet] = [:]
            for model in ModelKind.allCases {
                let training = try trained.require(model, fold: fold.index)
                let test = try loaded[training.preparation] ?? ImageSet.load(records, preparation: training.preparation)
                loaded[training.preparation] = test
                let graph = try TrainStage.bestModel(training, fold: fold.index, from: trained.directory)
                byKey["\(model.rawValue)/\(fold.index)"] = evaluate(
                    graph, test, model: model, fold: fold.index, batch: training.evaluationBatchSize, threshold: config.threshold)
            }
        }
        // Model-major order, as the report reads it.
        let results = ModelKind.allCases.flatMap { model in plan.folds.compactMap { byKey["\(model.rawValue)/\($0.index)"] } }
        try AtomicFile.write(CanonicalJSON.encode(results), to: context.outputDirectory.appendingPathComponent(file))
    }

    /// `graph`'s results on `set`: P(COVID) per image, counts at P(COVID) > 0.5, and the AUC.
    public static func evaluate(
        _ graph: Graph, _ set: ImageSet, model: ModelKind, fold: Int, batch: Int, threshold: Double = ClassDecision.threshold
    ) -> FoldEvaluation {
        let p = classify(graph, set, batch: batch)
        var counts = ConfusionCounts()
        for (prob, truth) in zip(p, set.labels) {
            counts.add(truth: truth, predicted: ClassDecision.isCovid(prob, threshold: threshold) ? .covid : .normal)
        }
        return FoldEvaluation(
            model: model, fold: fold, counts: counts,
            auc: Set(set.labels).count == 2 ? ROCCurve(scores: p, truths: set.labels).auc : nil,
            covidProbabilities: p, truths: set.labels, patients: set.records.map(\.key.patientID))
    }

    /// P(COVID) of every image of `set`, in batches, inference mode.
    public static func classify(_ graph: Graph, _ set: ImageSet, batch: Int) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(set.count)
        var start = 0
        while start < set.count {
            let idx = Array(start..<min(start + max(1, batch), set.count))
            out += ClassEncoding.covidProbabilities(graph, set.batch(idx).0)
            start += idx.count
        }
        return out
    }

    public static func read(from directory: URL) throws -> [FoldEvaluation] {
        try IndexStage.read([FoldEvaluation].self, directory.appendingPathComponent(file))
    }
}
