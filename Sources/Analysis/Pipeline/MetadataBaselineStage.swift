import AtomicFiles
import Foundation
import NeuralNet

/// The `metadata-baseline` stage (dataset audit): `MetadataBaseline` fitted on each fold's
/// training images and scored on its test images, per feature set; and each fold's test images
/// with their series and thickness, in the order the `evaluate` stage classifies them, so the
/// report can split Table 8's metrics by series and thickness.
public enum MetadataBaselineStage: Stage {
    public static let name = "metadata-baseline"
    public static let file = "metadata_baseline.json"

    /// One fold's results.
    public struct FoldResult: Codable, Equatable, Sendable {
        public var fold: Int
        /// AUC on the fold's test images, per feature set (`FeatureSet.rawValue`).
        public var auc: [String: Double]
        /// The test images in `ImageSet.records` order: series and thickness (mm, nil unknown).
        public var testSeries: [String]
        public var testThicknessMM: [Double?]
        /// P(COVID) of the "all features" model per test image, and the truths.
        public var probabilities: [Double]
        public var truths: [ClassLabel]
    }

    /// The logistic fits' steps and feature sets.
    public struct Config: Codable, Sendable, Equatable {
        var format = 1
        public var steps = 600
        public var sets = MetadataBaseline.FeatureSet.allCases.map(\.rawValue)
    }

    public static func definition() -> StageDefinition {
        StageDefinition(MetadataBaselineStage.self, upstream: [IndexStage.name, FoldsStage.name], config: Config())
    }

    public static func run(_ config: Config, in context: StageContext) throws {
        let dataset = try IndexStage.readDataset(from: context.upstream(IndexStage.name))
        let plan = try FoldsStage.readPlan(from: context.upstream(FoldsStage.name))
        let features = try allFeatures(dataset)
        var out: [FoldResult] = []
        for fold in plan.folds {
            let train = try ImageSet.records(dataset: dataset, patients: fold.trainPatients)
            let test = try ImageSet.records(dataset: dataset, patients: fold.testPatients)
            let trainF = train.map { features[$0.key]! }, testF = test.map { features[$0.key]! }
            var auc: [String: Double] = [:]
            var probabilities: [Double] = []
            for set in config.sets.compactMap(MetadataBaseline.FeatureSet.init(rawValue:)) {
                let model = MetadataBaseline.fit(trainF, labels: train.map(\.label), set: set, steps: config.steps)
                let p = testF.map(model.probability)
                if Set(test.map(\.label)).count == 2 { auc[set.rawValue] = ROCCurve(scores: p, truths: test.map(\.label)).auc }
                if set == .all { probabilities = p }
            }
            out.append(
                FoldResult(
                    fold: fold.index, auc: auc, testSeries: testF.map(\.series), testThicknessMM: testF.map(\.thicknessMM),
                    probabilities: probabilities, truths: test.map(\.label)))
        }
        try AtomicFile.write(CanonicalJSON.encode(out), to: context.outputDirectory.appendingPathComponent(file))
    }

    static func allFeatures(_ dataset: Dataset) throws -> [SliceKey: MetadataBaseline.Features] {
        let records = try ImageSet.records(dataset: dataset, patients: dataset.patients.map(\.id))
        var thickness: [String: Double?] = [:]
        for p in dataset.patients { for s in p.series { thickness[p.id + "/" + s.name] = s.thicknessMM } }
        var noise = [Double](repeating: 0, count: records.count)
        var firstError: Error?
        let lock = NSLock()
        noise.withUnsafeMutableBufferPointer { buffer in
            let out = buffer
            Parallel.run(workers: records.count) { i in
                do {
                    let image = try TIFFReader.read(records[i].path)
                    out[i] = MetadataBaseline.noise(image.float32, width: image.width, height: image.height)
                } catch {
                    lock.lock(); if firstError == nil { firstError = error }; lock.unlock()
                }
            }
        }
        if let firstError { throw firstError }
        var out: [SliceKey: MetadataBaseline.Features] = [:]
        for (i, r) in records.enumerated() {
            out[r.key] = MetadataBaseline.Features(
                series: r.key.series, thicknessMM: thickness[r.key.patientID + "/" + r.key.series] ?? nil,
                noise: noise[i])
        }
        return out
    }

    public static func read(from directory: URL) throws -> [FoldResult] {
        try IndexStage.read([FoldResult].self, directory.appendingPathComponent(file))
    }
}
