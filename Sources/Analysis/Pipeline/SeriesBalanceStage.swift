import AtomicFiles
import Foundation
import NeuralNet

/// The `series-balance` stage (dataset audit, "the fix, measured"): the FPN trained again on
/// every fold with the other choice of training slices (`TrainingSlices`) — series-balanced when
/// the preset trains on the labelled slices as the paper does — and both FPNs measured side by
/// side where the series shortcut shows:
/// - on the fold's labelled test slices (Table 8's images, all folds pooled);
/// - on every selected slice of the identification patients' normal series, per series: the
///   share called COVID-19 (a network that learned "thin series = COVID-19" calls most of a
///   normal patient's SR_3 and SR_4 slices COVID-19);
/// - on the patients themselves, with the paper's thresholds (Tables 5 and 6).
///
/// The preset's FPN is read from the `evaluate` and `identify` stages; the other FPN classifies
/// the same images here. Runs on the twin and on real data alike (the counterfactual of the
/// same two networks is in the `shortcut` stage, twin only).
///
/// Output `series-balance.json`: `[SeriesBalanceStage.Result]`, the preset's FPN first.
public enum SeriesBalanceStage: Stage {
    public static let name = "series-balance"
    public static let file = "series-balance.json"
    /// The network trained twice.
    public static let model = ModelKind.resnet50v2FPN

    /// The slices of the audit's second training under `preset`: the other choice.
    public static func auditSlices(_ preset: Preset) -> TrainingSlices {
        preset.training.trainingSlices == .labelled ? .seriesBalanced : .labelled
    }

    /// The audit's trainings of `preset` (`train-fpn-series-balanced-fold<k>`).
    public static func trainingStageNames(preset: Preset) -> [String] {
        (1...max(preset.folds, 1)).map { TrainStage.stageName(model, fold: $0, slices: auditSlices(preset)) }
    }

    public static func trainingDefinitions(preset: Preset) -> [StageDefinition] {
        (1...max(preset.folds, 1)).map { TrainStage.definition(model, fold: $0, preset: preset, slices: auditSlices(preset)) }
    }

    /// Selected slices of normal patients in one series, and how many were called COVID-19.
    public struct SeriesCount: Codable, Equatable, Sendable {
        public var series: String
        public var slices = 0
        public var calledCovid = 0
    }

    /// One FPN's results, all folds pooled.
    public struct Result: Codable, Equatable, Sendable {
        public var slices: TrainingSlices
        /// Whether this is the preset's own training (the one in Tables 4–8).
        public var isPresets: Bool
        /// The labelled test slices (P(COVID) > 0.5), and the AUC of each fold.
        public var test = ConfusionCounts()
        public var foldAUCs: [Double] = []
        /// The identification patients' normal series.
        public var normalSeries: [SeriesCount] = []
        /// Patients under the paper's threshold 1 and threshold 2.
        public var threshold1 = PatientCounts()
        public var threshold2 = PatientCounts()
    }

    /// The audit's choice of training slices (the other one) and the decision threshold. The
    /// networks are the ones the trainings recorded.
    public struct Config: Codable, Sendable, Equatable {
        var format = 2
        public var slices: TrainingSlices
        public var threshold = ClassDecision.threshold
    }

    public static func definition(preset: Preset) -> StageDefinition {
        StageDefinition(
            SeriesBalanceStage.self,
            upstream: [IndexStage.name, FoldsStage.name, TrainStage.name, EvaluateStage.name, IdentifyStage.name]
                + trainingStageNames(preset: preset),
            config: Config(slices: auditSlices(preset)))
    }

    public static func run(_ config: Config, in context: StageContext) throws {
        let dataset = try IndexStage.readDataset(from: context.upstream(IndexStage.name))
        let plan = try FoldsStage.readPlan(from: context.upstream(FoldsStage.name))
        let evaluations = try EvaluateStage.read(from: context.upstream(EvaluateStage.name)).filter { $0.model == model }
        let identified = try IdentifyStage.read(from: context.upstream(IdentifyStage.name)).filter { $0.model == model }
        let trained = try TrainStage.read(from: context.upstream(TrainStage.name))
        var presets = Result(slices: try trained.require(model, fold: plan.folds.first?.index ?? 1).slices, isPresets: true)
        var audit = Result(slices: config.slices, isPresets: false)
        var presetsPatients: [PatientSlices] = [], auditPatients: [PatientSlices] = []
        var presetsSeries: [String: SeriesCount] = [:], auditSeries: [String: SeriesCount] = [:]
        for fold in plan.folds {
            // The preset's FPN: Table 8's evaluation and the identification stage's records.
            if let e = evaluations.first(where: { $0.fold == fold.index }) {
                presets.test = presets.test + e.counts
                if let auc = e.auc { presets.foldAUCs.append(auc) }
            }
            let records = identified.filter { $0.fold == fold.index }
            for r in records {
                presetsPatients.append(r.withSelection)
                if r.truth == .normal { tally(&presetsSeries, r.series, r.selected, r.covidProbabilities, threshold: config.threshold) }
            }
            // The audit's FPN on the same images.
            let auditFolder = context.upstream(TrainStage.stageName(model, fold: fold.index, slices: config.slices))
            let training = try TrainingStage.recordedConfig(StageRecord.read(from: auditFolder)).config
            let graph = try TrainingStage.bestModel(training, from: auditFolder)
            let test = try ImageSet.load(
                try ImageSet.records(dataset: dataset, patients: fold.testPatients), preparation: training.preparation)
            let e = EvaluateStage.evaluate(
                graph, test, model: model, fold: fold.index, batch: training.evaluationBatchSize, threshold: config.threshold)
            audit.test = audit.test + e.counts
            if let auc = e.auc { audit.foldAUCs.append(auc) }
            let classifier = SliceClassifier(graph: graph, preparation: training.preparation, batchSize: training.evaluationBatchSize)
            let byID = Dictionary(dataset.patients.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            for r in records {
                guard let patient = byID[r.patient] else { continue }
                var paths: [String: String] = [:]
                for s in patient.series { for f in s.slices { paths["\(s.name)/\(f.imageNumber)"] = f.path } }
                // Selected slices only: the system classifies nothing else.
                let chosen = r.series.indices.filter { r.selected[$0] }
                let p = try classifier.classify(chosen.compactMap { paths["\(r.series[$0])/\(r.imageNumbers[$0])"] })
                auditPatients.append(PatientSlices(patientID: r.patient, truth: r.truth, covidProbabilities: p))
                if r.truth == .normal {
                    tally(&auditSeries, chosen.map { r.series[$0] }, chosen.map { _ in true }, p, threshold: config.threshold)
                }
            }
        }
        presets.normalSeries = presetsSeries.keys.sorted().map { presetsSeries[$0]! }
        audit.normalSeries = auditSeries.keys.sorted().map { auditSeries[$0]! }
        presets.threshold1 = PatientCounts(presetsPatients, rule: .paperThreshold1)
        presets.threshold2 = PatientCounts(presetsPatients, rule: .paperThreshold2)
        audit.threshold1 = PatientCounts(auditPatients, rule: .paperThreshold1)
        audit.threshold2 = PatientCounts(auditPatients, rule: .paperThreshold2)
        try AtomicFile.write(CanonicalJSON.encode([presets, audit]), to: context.outputDirectory.appendingPathComponent(file))
    }

    /// Adds the selected slices of one patient to the per-series counts.
    static func tally(
        _ counts: inout [String: SeriesCount], _ series: [String], _ selected: [Bool], _ p: [Double], threshold: Double
    ) {
        for i in series.indices where selected[i] {
            counts[series[i], default: SeriesCount(series: series[i])].slices += 1
            if ClassDecision.isCovid(p[i], threshold: threshold) {
                counts[series[i], default: SeriesCount(series: series[i])].calledCovid += 1
            }
        }
    }

    public static func read(from directory: URL) throws -> [Result] {
        try IndexStage.read([Result].self, directory.appendingPathComponent(file))
    }
}
