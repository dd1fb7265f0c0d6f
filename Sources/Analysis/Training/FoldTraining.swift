import Foundation
import NeuralNet

/// Trains one network on one fold of a dataset (§2.4, Table 3): the labelled slices of the
/// fold's training patients train, those of its validation patients choose the checkpoint.
public enum FoldTraining {
    /// The training and validation records of `fold` for `config.slices`: the labelled slices,
    /// or (series-balanced) the labelled COVID slices and normal slices with their series mix;
    /// `selected` (per "patient/series", the slices the selection kept) is needed for the latter.
    public static func records(
        dataset: Dataset, fold: Fold, config: TrainingConfig,
        selected: [String: [Int]]? = nil
    ) throws -> (training: [ImageRecord], validation: [ImageRecord]) {
        switch config.slices {
        case .labelled:
            return (
                try ImageSet.records(dataset: dataset, patients: fold.trainPatients),
                try ImageSet.records(dataset: dataset, patients: fold.validationPatients)
            )
        case .seriesBalanced:
            let kept = selected ?? [:]
            return (
                try ImageSet.seriesBalancedRecords(
                    dataset: dataset, patients: fold.trainPatients, selected: kept,
                    seed: config.seed, stream: "fold\(fold.index)/train"),
                try ImageSet.seriesBalancedRecords(
                    dataset: dataset, patients: fold.validationPatients, selected: kept,
                    seed: config.seed, stream: "fold\(fold.index)/validation")
            )
        }
    }

    /// The training and validation image sets of `fold`, prepared as `config` says.
    public static func imageSets(
        dataset: Dataset, fold: Fold, config: TrainingConfig,
        selected: [String: [Int]]? = nil
    ) throws -> (training: ImageSet, validation: ImageSet) {
        let prep = config.preparation
        let (trainRecords, valRecords) = try records(dataset: dataset, fold: fold, config: config, selected: selected)
        return (try ImageSet.load(trainRecords, preparation: prep), try ImageSet.load(valRecords, preparation: prep))
    }

    /// The fold plan of a dataset (`FoldPlan.make` over its patients and labelled slices).
    public static func plan(dataset: Dataset, seed: UInt64, validation: ValidationSource = .testSubset) -> FoldPlan {
        FoldPlan.make(
            patients: dataset.patients.map { (id: $0.id, label: $0.label) }, labelled: dataset.labelled,
            seed: seed, validation: validation)
    }

    /// Builds `config.model` at `config.scale` with weights from `weightSeed`, loads `fold`'s
    /// images and trains into `outputDirectory` (resuming a previous run there).
    public static func run(
        dataset: Dataset, fold: Fold, config: TrainingConfig, weightSeed: UInt64,
        outputDirectory: URL, selected: [String: [Int]]? = nil, progress: ((TrainingProgress) -> Void)? = nil,
        epochEnded: ((EpochRecord) -> Void)? = nil
    ) throws -> TrainingOutcome {
        let (train, val) = try imageSets(dataset: dataset, fold: fold, config: config, selected: selected)
        let graph = try config.model.build(scale: config.scale, seed: weightSeed)
        return try Trainer(config: config, graph: graph).train(
            training: train, validation: val,
            outputDirectory: outputDirectory, progress: progress,
            epochEnded: epochEnded)
    }

    /// Random images (uniform 0…2000, like stored CT values) with alternating labels, for
    /// timing a training epoch without a dataset. Deterministic in `seed`.
    public static func syntheticSet(count: Int, size: Int, seed: UInt64) -> ImageSet {
        var rng = RNG(seed: seed)
        let pixels = (0..<(count * size * size)).map { _ in Float(rng.uniform(0, 2000)) }
        let records = (0..<count).map { i in
            ImageRecord(
                key: SliceKey(patientID: "synthetic\(i)", series: "SR_2", imageNumber: 1), path: "",
                label: i % 2 == 0 ? .covid : .normal)
        }
        return ImageSet(records: records, size: size, pixels: pixels)
    }
}
