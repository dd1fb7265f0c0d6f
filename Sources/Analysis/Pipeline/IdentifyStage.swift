import AtomicFiles
import Foundation
import NeuralNet

/// The `identify` stage (§3.2, Tables 5 and 6): the paper's automated system on each fold's
/// test patients — every slice of every series, the selection of §2.2, classification by the
/// fold's chosen network, and the patient decision.
///
/// Every slice is classified, the discarded ones too, and the selection's verdict is kept
/// beside each probability, so one pass gives the paper's results (selected slices only) and
/// the comparison without the selection step (all slices), under any decision rule.
/// Classification streams: `SliceClassifier` reads a batch of slices at a time.
///
/// With the preset's `identificationPatients` = n, each fold identifies at most n COVID and n
/// normal test patients, drawn with a seeded generator (stream `identify/fold<k>/<class>`)
/// and listed in ID order; nil means every test patient, as the paper does.
///
/// Output `identification.json`: `[IdentifyStage.PatientRecord]` (model, fold, patient order).
public enum IdentifyStage: Stage {
    public static let name = "identify"
    public static let file = "identification.json"

    /// One patient as one fold's network saw it.
    public struct PatientRecord: Codable, Equatable, Sendable {
        public let model: ModelKind
        public let fold: Int
        public let patient: String
        public let truth: ClassLabel
        /// Per slice, in series then image-number order: series name, image number, whether
        /// the selection kept it, and P(COVID).
        public let series: [String]
        public let imageNumbers: [Int]
        public let selected: [Bool]
        public let covidProbabilities: [Double]

        /// The slices the paper's system classifies (the selected ones).
        public var withSelection: PatientSlices {
            PatientSlices(
                patientID: patient, truth: truth,
                covidProbabilities: zip(selected, covidProbabilities).filter(\.0).map(\.1))
        }

        /// Every slice, as if there were no selection step.
        public var withoutSelection: PatientSlices {
            PatientSlices(patientID: patient, truth: truth, covidProbabilities: covidProbabilities)
        }
    }

    /// The test patients of `fold` to identify: all, or at most `perClass` of each class.
    public static func patients(fold: Fold, dataset: Dataset, perClass: Int?, seed: UInt64) -> [String] {
        let labels = Dictionary(dataset.patients.map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a })
        var chosen: [String] = []
        for label in [ClassLabel.covid, .normal] {
            var ids = fold.testPatients.filter { labels[$0] == label }.sorted()
            if let n = perClass, ids.count > n {
                var rng = SplitMix64(seed: seed, stream: "identify/fold\(fold.index)/\(label.rawValue)")
                for i in 0..<n {  // partial Fisher–Yates: the first n are the draw
                    let j = i + Int(rng.next() % UInt64(ids.count - i))
                    ids.swapAt(i, j)
                }
                ids = Array(ids.prefix(n)).sorted()
            }
            chosen += ids
        }
        return chosen.sorted()
    }

    /// How many test patients per class to identify (nil: all) and the seed of that draw.
    public struct Config: Codable, Sendable, Equatable {
        var format = 2
        public var perClass: Int?
        public var seed: UInt64
    }

    public static func definition(preset: Preset) -> StageDefinition {
        StageDefinition(
            IdentifyStage.self, upstream: [IndexStage.name, FoldsStage.name, TrainStage.name, SelectionStage.name],
            config: Config(perClass: preset.identificationPatients, seed: preset.seed))
    }

    public static func run(_ config: Config, in context: StageContext) throws {
        let dataset = try IndexStage.readDataset(from: context.upstream(IndexStage.name))
        let plan = try FoldsStage.readPlan(from: context.upstream(FoldsStage.name))
        let selection = try SelectionStage.read(from: context.upstream(SelectionStage.name))
        let trained = try TrainStage.read(from: context.upstream(TrainStage.name))
        var kept: [String: [Int: Bool]] = [:]
        for s in selection.series {
            kept["\(s.patientID)/\(s.series)"] = Dictionary(zip(s.imageNumbers, s.selected), uniquingKeysWith: { a, _ in a })
        }
        let byID = Dictionary(dataset.patients.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var records: [PatientRecord] = []
        for model in ModelKind.allCases {
            for fold in plan.folds {
                let training = try trained.require(model, fold: fold.index)
                let graph = try TrainStage.bestModel(training, fold: fold.index, from: trained.directory)
                let classifier = SliceClassifier(
                    graph: graph, preparation: training.preparation, batchSize: training.evaluationBatchSize)
                for id in patients(fold: fold, dataset: dataset, perClass: config.perClass, seed: config.seed) {
                    guard let patient = byID[id] else { continue }
                    var series: [String] = [], numbers: [Int] = [], selected: [Bool] = [], paths: [String] = []
                    for s in patient.series {
                        // A series the selection could not process keeps none of its slices.
                        let flags = kept["\(id)/\(s.name)"] ?? [:]
                        for slice in s.slices {
                            series.append(s.name); numbers.append(slice.imageNumber)
                            selected.append(flags[slice.imageNumber] ?? false); paths.append(slice.path)
                        }
                    }
                    let p = try classifier.classify(paths)
                    records.append(
                        PatientRecord(
                            model: model, fold: fold.index, patient: id, truth: patient.label,
                            series: series, imageNumbers: numbers, selected: selected, covidProbabilities: p))
                }
            }
        }
        try AtomicFile.write(CanonicalJSON.encode(records), to: context.outputDirectory.appendingPathComponent(file))
    }

    public static func read(from directory: URL) throws -> [PatientRecord] {
        try IndexStage.read([PatientRecord].self, directory.appendingPathComponent(file))
    }
}
