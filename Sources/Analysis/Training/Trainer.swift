import Foundation
import NeuralNet

/// Where a training run is, reported after every batch.
public struct TrainingProgress: Sendable {
    /// 1-based epoch and batch.
    public let epoch: Int, epochs: Int
    public let batch: Int, batches: Int
    public let images: Int, imagesInEpoch: Int
    /// Running means over the epoch so far.
    public let meanLoss: Double, accuracy: Double
    /// Seconds since the epoch started.
    public let epochSeconds: Double
}

/// What `Trainer.train` leaves behind.
public struct TrainingOutcome: Sendable {
    public let history: TrainingHistory
    /// False when `shouldStop` ended the run early; rerunning resumes it.
    public let completed: Bool
    /// Epochs already done when this call started (0 for a fresh run).
    public let resumedAfterEpoch: Int
    public let bestWeights: URL
    public let lastCheckpoint: URL
    public let historyFile: URL
}

/// Trains one network on one fold (§2.4, Table 3), as the authors' Keras `fit` with
/// `ModelCheckpoint(monitor='val_accuracy', save_best_only=True)`:
/// Nadam (at the config's rate, moved by its `LearningRateSchedule`), categorical cross-entropy on the logits (softmax inside the loss), one pass over the
/// shuffled, augmented training images per epoch in batches of `batchSize`; after each epoch the
/// validation images in inference mode. Files in the output folder:
/// - `best.safetensors`: the weights of the epoch with the highest validation accuracy;
/// - `last.safetensors`: the weights after the last finished epoch, the optimizer's state
///   (`optimizer/...` tensors) and, as metadata, the epoch number and the config — the resume
///   point;
/// - `history.json`: `TrainingHistory`, one record per finished epoch.
/// Every file is written atomically, best → history → last, so an interruption at any moment
/// leaves a consistent resume point (a history longer than `last` is truncated on resume).
///
/// Determinism: shuffles and augmentations are pure functions of (seed, epoch, image index);
/// the only other random state is the dropout layers' generators, which a resumed run advances
/// by replaying the draws of the finished epochs (the same tensor sizes, in the same order), so
/// a resumed run ends with weights bit-identical to an uninterrupted one.
public final class Trainer {
    public let config: TrainingConfig
    public let graph: Graph
    public let optimizer: Nadam

    public static let bestFileName = "best.safetensors"
    public static let lastFileName = "last.safetensors"
    public static let historyFileName = "history.json"

    /// A trainer for `graph` (freshly built, e.g. `config.model.build(scale:seed:)`; on resume its
    /// weights are replaced by the checkpoint's). The graph must have one input `[N, S, S, 1]`
    /// and one output `[N, 2]` of logits.
    public init(config: TrainingConfig, graph: Graph) {
        precondition(graph.inputs.count == 1 && graph.outputs.count == 1, "the trainer needs one input and one output")
        precondition(graph.shape(of: graph.outputs[0]) == [ClassEncoding.classCount], "the output must be [N, 2] logits")
        self.config = config; self.graph = graph
        optimizer = Nadam(learningRate: config.learningRate)
    }

    // MARK: - Training

    /// Trains until `config.epochs` epochs are done, resuming from `outputDirectory`'s last
    /// checkpoint when there is one. `progress` is called after every batch, `epochEnded` after
    /// every saved epoch; `shouldStop` after
    /// every batch but an epoch's last (stopping there saves nothing of the partial epoch, as a
    /// kill would) and after every saved epoch; when it returns true the run returns
    /// `completed == false`.
    /// Throws `TrainingDataError.emptySet` for an empty set, `TrainingError` for I/O and for a
    /// checkpoint of another configuration or data.
    public func train(
        training: ImageSet, validation: ImageSet, outputDirectory: URL,
        progress: ((TrainingProgress) -> Void)? = nil,
        epochEnded: ((EpochRecord) -> Void)? = nil,
        shouldStop: (() -> Bool)? = nil
    ) throws -> TrainingOutcome {
        guard training.count > 0 else { throw TrainingDataError.emptySet(name: "training set", reason: "no labelled images") }
        guard validation.count > 0 else { throw TrainingDataError.emptySet(name: "validation set", reason: "no labelled images") }
        let size = graph.shape(of: graph.inputs[0])
        precondition(
            size == [training.size, training.size, 1] && validation.size == training.size,
            "images of \(training.size)² do not fit the model input \(size)")
        do { try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true) } catch {
            throw TrainingError.io(file: outputDirectory.path, reason: "cannot create the output folder: \(error)")
        }
        let bestURL = outputDirectory.appendingPathComponent(Self.bestFileName)
        let lastURL = outputDirectory.appendingPathComponent(Self.lastFileName)
        let historyURL = outputDirectory.appendingPathComponent(Self.historyFileName)
        let dataPrint = Self.dataFingerprint(training, validation)

        var history = TrainingHistory(config: config)
        var startEpoch = 0
        if FileManager.default.fileExists(atPath: lastURL.path) {
            startEpoch = try resume(from: lastURL, historyURL: historyURL, data: dataPrint, history: &history)
            replayDropout(epochs: 0..<startEpoch, trainCount: training.count)
        }
        history.config = config
        var best = history.records.filter(\.isBest).map(\.validationAccuracy).max() ?? -Double.infinity
        func outcome(_ done: Bool) -> TrainingOutcome {
            TrainingOutcome(
                history: history, completed: done, resumedAfterEpoch: startEpoch, bestWeights: bestURL,
                lastCheckpoint: lastURL, historyFile: historyURL)
        }

        for epoch in startEpoch..<max(config.epochs, startEpoch) {
            let start = Date()
            let batches = BatchSchedule.batches(
                BatchSchedule.order(count: training.count, seed: config.seed, epoch: epoch),
                batchSize: config.batchSize)
            var lossSum = 0.0, correct = 0, seen = 0, dataSeconds = 0.0
            for (b, indices) in batches.enumerated() {
                let t0 = Date()
                let (x, y) = training.batch(indices, augmentation: config.augmentation, seed: config.seed, epoch: epoch)
                dataSeconds += Date().timeIntervalSince(t0)
                optimizer.learningRate =
                    config.learningRate
                    * config.schedule.factor(epoch: epoch, batch: b, epochs: config.epochs, batchesPerEpoch: batches.count)
                let (loss, hits) = step(x, y)
                lossSum += loss * Double(indices.count); correct += hits; seen += indices.count
                progress?(
                    TrainingProgress(
                        epoch: epoch + 1, epochs: config.epochs, batch: b + 1, batches: batches.count,
                        images: seen, imagesInEpoch: training.count, meanLoss: lossSum / Double(seen),
                        accuracy: Double(correct) / Double(seen), epochSeconds: Date().timeIntervalSince(start)))
                if b + 1 < batches.count, shouldStop?() == true { return outcome(false) }
            }
            let v0 = Date()
            let (vLoss, vAcc, vAUC) = evaluateWithAUC(validation)
            let validationSeconds = Date().timeIntervalSince(v0)
            let isBest = vAcc > best
            if isBest { best = vAcc }
            history.records.append(
                EpochRecord(
                    epoch: epoch + 1, trainLoss: lossSum / Double(seen),
                    trainAccuracy: Double(correct) / Double(seen), validationLoss: vLoss,
                    validationAccuracy: vAcc, validationAUC: vAUC, isBest: isBest,
                    seconds: Date().timeIntervalSince(start), dataSeconds: dataSeconds,
                    validationSeconds: validationSeconds, trainImages: training.count,
                    validationImages: validation.count))
            if isBest {
                try saveWeights(
                    to: bestURL,
                    metadata: [
                        "epoch": "\(epoch + 1)", "validation_accuracy": "\(vAcc)",
                        "model": config.model.rawValue
                    ])
            }
            try history.write(to: historyURL)
            try saveCheckpoint(to: lastURL, epoch: epoch + 1, data: dataPrint)
            epochEnded?(history.records[history.records.count - 1])
            if shouldStop?() == true, epoch + 1 < config.epochs { return outcome(false) }
        }
        return outcome(true)
    }

    /// One Nadam step on a batch; returns the batch's mean loss and its number of correct argmaxes.
    func step(_ x: Tensor, _ y: Tensor) -> (loss: Double, correct: Int) {
        let (loss, logits) = graph.trainStep(x, labels: y, optimizer: optimizer)
        return (loss, Self.correct(logits, y))
    }

    /// Mean cross-entropy and accuracy of the current weights on `set` (inference mode, no
    /// augmentation), in batches of `config.evaluationBatchSize`.
    public func evaluate(_ set: ImageSet) -> (loss: Double, accuracy: Double) {
        let r = evaluateWithAUC(set)
        return (r.loss, r.accuracy)
    }

    /// `evaluate` plus the area under the ROC curve of the COVID probability (nil unless `set`
    /// holds both classes): unlike accuracy it does not depend on the class balance, which on
    /// the paper's validation images (drawn from the test patients) is far from even.
    public func evaluateWithAUC(_ set: ImageSet) -> (loss: Double, accuracy: Double, auc: Double?) {
        var lossSum = 0.0, correct = 0
        var scores: [Double] = []
        scores.reserveCapacity(set.count)
        let k = ClassEncoding.classCount
        for indices in BatchSchedule.batches(Array(0..<set.count), batchSize: config.evaluationBatchSize) {
            let (x, y) = set.batch(indices)
            let logits = graph.forward([x], mode: .inference)[0]
            lossSum += LossOp.softmaxCrossEntropy(logits: logits, labels: y).loss * Double(indices.count)
            correct += Self.correct(logits, y)
            // P(COVID) from the same logits the loss uses, with the softmax in Double (the
            // validation AUC the histories record); `ClassEncoding.covidProbabilities` is the
            // Float softmax every classification after training uses.
            for r in 0..<indices.count {
                let row = (0..<k).map { Double(logits.data[r * k + $0]) }
                let m = row.max()!
                let e = row.map { Foundation.exp($0 - m) }
                scores.append(e[ClassEncoding.covidIndex] / e.reduce(0, +))
            }
        }
        let truths = set.records.map(\.label)
        let auc = Set(truths).count == 2 ? ROCCurve(scores: scores, truths: truths).auc : nil
        return (lossSum / Double(max(set.count, 1)), Double(correct) / Double(max(set.count, 1)), auc)
    }

    /// Rows of `logits [N, K]` whose argmax (first on ties) is the one-hot label's index.
    static func correct(_ logits: Tensor, _ labels: Tensor) -> Int {
        let n = logits.shape[0], k = logits.shape[1]
        var hits = 0
        for r in 0..<n {
            var best = 0, truth = 0
            for c in 1..<k {
                if logits.data[r * k + c] > logits.data[r * k + best] { best = c }
                if labels.data[r * k + c] > labels.data[r * k + truth] { truth = c }
            }
            if best == truth { hits += 1 }
        }
        return hits
    }
}
