import AtomicFiles
import Foundation

/// Everything that determines a training run (§2.4, Table 3). Two runs with equal configs,
/// equal data and equal initial weights produce bit-identical weights.
public struct TrainingConfig: Codable, Equatable, Hashable, Sendable {
    /// The network (recorded in the history; the caller builds the graph).
    public var model: ModelKind
    public var scale: ModelScale
    /// Number of epochs (Table 3: 50; the authors' code and Fig. 11: 20).
    public var epochs: Int
    /// Images per training step (Table 3: 14). The last batch of an epoch may be smaller.
    public var batchSize: Int
    /// Nadam learning rate (Table 3: 1e-4).
    public var learningRate: Double
    /// Seed of the shuffles and augmentations (the weights' seed is the graph's own).
    public var seed: UInt64
    public var augmentation: AugmentationParameters
    public var inputScaling: InputScaling
    public var resize: ResizeMethod
    /// Images per inference pass when validating (does not change the numbers).
    public var evaluationBatchSize: Int
    /// The slices trained and validated on; nil is `.labelled` (the paper), and is left out of
    /// the encoded config so that configs written before the field existed keep their keys.
    public var trainingSlices: TrainingSlices?
    /// How the learning rate moves over the run; nil is `.constant` (Table 3), and is left out
    /// of the encoded config so that configs written before the field existed keep their keys.
    public var learningRateSchedule: LearningRateSchedule?

    public init(
        model: ModelKind = .resnet50v2FPN, scale: ModelScale = .full, epochs: Int = 50, batchSize: Int = 14,
        learningRate: Double = 1e-4, seed: UInt64 = 1, augmentation: AugmentationParameters = .paper,
        inputScaling: InputScaling = .raw, resize: ResizeMethod = .area, evaluationBatchSize: Int = 32,
        trainingSlices: TrainingSlices? = nil, learningRateSchedule: LearningRateSchedule? = nil
    ) {
        precondition(epochs >= 0 && batchSize > 0 && evaluationBatchSize > 0 && learningRate > 0, "bad training config")
        self.model = model; self.scale = scale; self.epochs = epochs; self.batchSize = batchSize
        self.learningRate = learningRate; self.seed = seed; self.augmentation = augmentation
        self.inputScaling = inputScaling; self.resize = resize; self.evaluationBatchSize = evaluationBatchSize
        self.trainingSlices = trainingSlices == .labelled ? nil : trainingSlices
        self.learningRateSchedule = learningRateSchedule == .constant ? nil : learningRateSchedule
    }

    /// The learning-rate schedule (`.constant` when the field is absent).
    public var schedule: LearningRateSchedule { learningRateSchedule ?? .constant }

    /// The slices trained on (`.labelled` when the field is absent).
    public var slices: TrainingSlices { trainingSlices ?? .labelled }

    /// The input preparation this config implies.
    public var preparation: InputPreparation {
        InputPreparation(size: scale.inputSize, scaling: inputScaling, resize: resize)
    }

    /// The config with `epochs` zeroed, as deterministic JSON: a resumed run must match it (the
    /// epoch count may grow, e.g. to continue a run).
    var resumeFingerprint: String {
        var c = self; c.epochs = 0; c.evaluationBatchSize = 0
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]
        return String(decoding: (try? e.encode(c)) ?? Data(), as: UTF8.self)
    }
}

/// The numbers of one finished epoch (1-based `epoch`), as Keras's `History` records them.
public struct EpochRecord: Codable, Equatable, Sendable {
    public let epoch: Int
    /// Mean categorical cross-entropy over the epoch's training images (training mode:
    /// augmentation and dropout on, batch statistics), weighted by batch size.
    public let trainLoss: Double
    /// Fraction of training images whose training-mode argmax equals the label.
    public let trainAccuracy: Double
    /// Mean loss and accuracy on the validation images in inference mode, unaugmented.
    public let validationLoss: Double
    public let validationAccuracy: Double
    /// Area under the ROC curve of the COVID probability on the validation images (nil in
    /// histories written before it was recorded, or when they hold one class only). Not used to
    /// choose the checkpoint (the paper uses accuracy); reported because it ignores class balance.
    public var validationAUC: Double? = nil
    /// Whether this epoch's weights became the best checkpoint.
    public let isBest: Bool
    /// Wall time of the epoch (training + validation), seconds.
    public let seconds: Double
    /// Of `seconds`: assembling and augmenting the training batches, and validating.
    public let dataSeconds: Double
    public let validationSeconds: Double
    public let trainImages: Int
    public let validationImages: Int
}

/// The history file of a run (`history.json`): the config and one record per finished epoch.
public struct TrainingHistory: Codable, Equatable, Sendable {
    public var config: TrainingConfig
    public var records: [EpochRecord]

    public init(config: TrainingConfig, records: [EpochRecord] = []) { self.config = config; self.records = records }

    /// The epoch kept as the model (highest validation accuracy; the earliest on ties, as
    /// Keras's `ModelCheckpoint(save_best_only=True)` only saves on a strict improvement).
    public var bestEpoch: Int? { records.last(where: \.isBest)?.epoch }
    public var bestValidationAccuracy: Double? { records.last(where: \.isBest)?.validationAccuracy }

    /// Writes the history as pretty, key-sorted JSON, atomically.
    public func write(to url: URL) throws {
        let e = JSONEncoder(); e.outputFormatting = [.prettyPrinted, .sortedKeys]
        do { try AtomicFile.write(try e.encode(self), to: url) } catch let e as AtomicWriteError {
            throw TrainingError.io(file: e.file, reason: e.reason)
        }
    }

    /// Reads a history written by `write(to:)`.
    public static func read(from url: URL) throws -> TrainingHistory {
        do { return try JSONDecoder().decode(TrainingHistory.self, from: Data(contentsOf: url)) } catch {
            throw TrainingError.io(file: url.path, reason: "cannot read history: \(error)")
        }
    }
}

/// A training run that cannot proceed, with the file and the reason.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case io(file: String, reason: String)
    /// The output folder holds a checkpoint of a different configuration.
    case checkpointMismatch(file: String, reason: String)

    public var description: String {
        switch self {
        case let .io(f, r): return "\(f): \(r)"
        case let .checkpointMismatch(f, r): return "\(f): cannot resume: \(r)"
        }
    }
}
