import AtomicFiles
import Foundation
import NeuralNet

/// The `shortcut` stage (dataset audit, twin only): does a trained network look at the disease
/// or at something else that goes with the label? Every fold's labelled test slices are rendered
/// again by the twin with their lesions changed — COVID-19 slices **without** their lesions,
/// normal SR_2 slices **with** lesions drawn in — and classified by that fold's networks. A
/// network that reads the lesions calls the first normal and the second COVID-19; the share of
/// lesion-free COVID slices still called COVID-19 is what a shortcut (series, thickness, noise)
/// explains.
public enum ShortcutStage: Stage {
    public static let name = "shortcut"
    public static let file = "shortcut.json"
    /// Normal test slices per fold that get lesions drawn in: evenly spaced through the fold's
    /// normal SR_2 test slices in key order (a fold has thousands; 400 give a Wilson interval
    /// narrower than ±5 points).
    public static let normalPerFold = 400

    /// The counts of one network over all folds.
    public struct Result: Codable, Equatable, Sendable {
        public var model: ModelKind
        /// Set for the dataset audit's second training of the model (`SeriesBalanceStage`):
        /// the slices it trained on. Nil for the preset's networks.
        public var slices: TrainingSlices? = nil
        /// Labelled COVID test slices: called COVID as stored, and with the lesions removed.
        public var covidSlices = 0, covidCalledAsStored = 0, covidCalledWithoutLesions = 0
        /// Labelled normal SR_2 test slices: called COVID as stored, and with lesions implanted.
        public var normalSlices = 0, normalCalledAsStored = 0, normalCalledWithLesions = 0

        /// The network's name, with the audit training's slices when it is the second FPN.
        public var label: String {
            slices.map { "\(model.rawValue) (\($0.rawValue) training)" } ?? model.rawValue
        }
    }

    /// The rendering (the twin's size and seed), the audit's second FPN, how many normal
    /// slices per fold and the decision threshold. The networks are the ones the trainings
    /// recorded.
    public struct Config: Codable, Sendable, Equatable {
        var format = 4
        public var normalPerFold = ShortcutStage.normalPerFold
        public var auditSlices: TrainingSlices
        public var size: Int
        public var seed: UInt64
        public var threshold = ClassDecision.threshold
    }

    public static func definition(preset: Preset) -> StageDefinition {
        let upstream =
            [TwinStage.name, IndexStage.name, FoldsStage.name, TrainStage.name] + SeriesBalanceStage.trainingStageNames(preset: preset)
        return StageDefinition(
            ShortcutStage.self, upstream: upstream,
            config: Config(
                auditSlices: SeriesBalanceStage.auditSlices(preset), size: preset.data.syntheticImageSize, seed: preset.seed))
    }

    public static func run(_ config: Config, in context: StageContext) throws {
        let dataset = try IndexStage.readDataset(from: context.upstream(IndexStage.name))
        let plan = try FoldsStage.readPlan(from: context.upstream(FoldsStage.name))
        // The preset's three networks, then the audit's second FPN.
        let trained = try TrainStage.read(from: context.upstream(TrainStage.name))
        let variants: [(ModelKind, TrainingSlices?)] =
            ModelKind.allCases.map { ($0, nil) } + [(SeriesBalanceStage.model, config.auditSlices)]
        var results = variants.map { Result(model: $0.0, slices: $0.1) }
        for fold in plan.folds {
            let records = try ImageSet.records(dataset: dataset, patients: fold.testPatients).sorted { $0.key < $1.key }
            let covid = records.filter { $0.label == .covid }
            // Normal SR_2 slices, at most `normalPerFold` evenly spaced (rendering is the cost).
            let normal = GradCAMStage.spaced(records.filter { $0.label == .normal && $0.key.series == "SR_2" }, config.normalPerFold)
            let twin = try SyntheticTwin(
                config: SynthConfig(
                    size: config.size, patients: .ids(Array(Set(fold.testPatients)).sorted()),
                    seed: config.seed))
            // Each rendering is made once per input preparation and classified by the three networks.
            var sets: [String: ImageSet] = [:]
            for (m, (model, slices)) in variants.enumerated() {
                let training: TrainingConfig, graph: Graph
                if let slices {
                    let folder = context.upstream(TrainStage.stageName(model, fold: fold.index, slices: slices))
                    training = try TrainingStage.recordedConfig(StageRecord.read(from: folder)).config
                    graph = try TrainingStage.bestModel(training, from: folder)
                } else {
                    training = try trained.require(model, fold: fold.index)
                    graph = try TrainStage.bestModel(training, fold: fold.index, from: trained.directory)
                }
                let prep = training.preparation
                func called(_ recs: [ImageRecord], _ lesions: SyntheticTwin.LesionOverride, _ tag: String) throws -> Int {
                    let key = "\(tag)/\(lesions.rawValue)/\(prep.size)/\(prep.scaling.rawValue)/\(prep.resize.rawValue)"
                    // As generated, a slice is the stored file: read it rather than render it again.
                    let set =
                        try sets[key]
                        ?? (lesions == .asGenerated
                            ? ImageSet.load(recs, preparation: prep)
                            : render(twin, recs, lesions: lesions, preparation: prep))
                    sets[key] = set
                    return EvaluateStage.classify(graph, set, batch: training.evaluationBatchSize).filter {
                        ClassDecision.isCovid($0, threshold: config.threshold)
                    }
                    .count
                }
                results[m].covidSlices += covid.count
                results[m].covidCalledAsStored += try called(covid, .asGenerated, "covid")
                results[m].covidCalledWithoutLesions += try called(covid, .removed, "covid")
                results[m].normalSlices += normal.count
                results[m].normalCalledAsStored += try called(normal, .asGenerated, "normal")
                results[m].normalCalledWithLesions += try called(normal, .implanted, "normal")
            }
        }
        try AtomicFile.write(CanonicalJSON.encode(results), to: context.outputDirectory.appendingPathComponent(file))
    }

    /// The records' slices rendered by `twin` with `lesions`, prepared as network input.
    static func render(
        _ twin: SyntheticTwin, _ records: [ImageRecord], lesions: SyntheticTwin.LesionOverride,
        preparation: InputPreparation
    ) throws -> ImageSet {
        let n = preparation.size * preparation.size
        var pixels = [Float](repeating: 0, count: records.count * n)
        var firstError: Error?
        let lock = NSLock()
        let size = twin.config.size
        pixels.withUnsafeMutableBufferPointer { buffer in
            let out = buffer
            Parallel.run(workers: records.count) { i in
                let k = records[i].key
                do {
                    let (px, _) = try twin.renderSlice(patient: k.patientID, series: k.series, imageNumber: k.imageNumber, lesions: lesions)
                    let prepared = preparation.prepare(px.map(Float.init), width: size, height: size)
                    for j in 0..<n { out[i * n + j] = prepared[j] }
                } catch {
                    lock.lock(); if firstError == nil { firstError = error }; lock.unlock()
                }
            }
        }
        if let firstError { throw firstError }
        return ImageSet(records: records, size: preparation.size, pixels: pixels)
    }

    public static func read(from directory: URL) throws -> [Result] {
        try IndexStage.read([Result].self, directory.appendingPathComponent(file))
    }
}
