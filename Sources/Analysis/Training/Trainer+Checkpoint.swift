import Foundation
import NeuralNet

/// Checkpoints and resumption of a `Trainer` (§2.4: the best-validation checkpoint; the
/// last-epoch checkpoint that lets an interrupted training resume exactly).
extension Trainer {
    /// Saves the graph's weights (trainable and moving statistics) atomically.
    func saveWeights(to url: URL, metadata: [String: String]) throws {
        do { try graph.saveWeights(to: url, metadata: metadata) } catch {
            throw TrainingError.io(file: url.path, reason: "cannot save weights: \(error)")
        }
    }

    /// Saves weights, the optimizer's state and the resume metadata in one file, atomically.
    func saveCheckpoint(to url: URL, epoch: Int, data: String) throws {
        let tensors = graph.parameters.map { ($0.name, $0.value) } + optimizer.state()
        let metadata = [
            "epoch": "\(epoch)", "config": config.resumeFingerprint, "data": data,
            "model": config.model.rawValue
        ]
        do { try SafeTensors.write(tensors, metadata: metadata, to: url) } catch {
            throw TrainingError.io(file: url.path, reason: "cannot save the checkpoint: \(error)")
        }
    }

    /// Restores weights and optimizer from `lastURL` and the history up to its epoch; returns
    /// the number of finished epochs.
    func resume(from lastURL: URL, historyURL: URL, data: String, history: inout TrainingHistory) throws -> Int {
        let file = lastURL.path
        let (tensors, metadata) = try Self.readSafeTensors(lastURL)
        guard metadata["config"] == config.resumeFingerprint else {
            throw TrainingError.checkpointMismatch(file: file, reason: "it was written with another configuration")
        }
        guard metadata["data"] == data else {
            throw TrainingError.checkpointMismatch(file: file, reason: "it was written for other training or validation images")
        }
        guard let epochText = metadata["epoch"], let epoch = Int(epochText), epoch >= 0 else {
            throw TrainingError.checkpointMismatch(file: file, reason: "no epoch number in its metadata")
        }
        do { try graph.loadWeights(from: lastURL) } catch {
            throw TrainingError.checkpointMismatch(file: file, reason: "\(error)")
        }
        var state: [String: Tensor] = [:]
        for (name, t) in tensors where name.hasPrefix("optimizer/") { state[name] = t }
        optimizer.restore(state)
        let old = try TrainingHistory.read(from: historyURL)
        history.records = old.records.filter { $0.epoch <= epoch }
        guard history.records.count == epoch else {
            throw TrainingError.checkpointMismatch(
                file: historyURL.path, reason: "holds \(history.records.count) of the checkpoint's \(epoch) epochs")
        }
        return epoch
    }

    /// Advances every dropout layer's generator as the finished `epochs` did: one training-mode
    /// pass per batch over a zero tensor of the batch's shape (dropout draws one number per
    /// element; validation runs in inference mode and draws none).
    func replayDropout(epochs: Range<Int>, trainCount: Int) {
        let dropouts: [(Dropout, [Int])] = graph.nodeNames.compactMap { name in
            guard let node = graph.node(named: name), let layer = graph.layer(of: node) as? Dropout else { return nil }
            return (layer, graph.shape(of: node))
        }
        guard !dropouts.isEmpty, !epochs.isEmpty else { return }
        let fullBatches = trainCount / config.batchSize, rest = trainCount % config.batchSize
        let sizes = [Int](repeating: config.batchSize, count: fullBatches) + (rest > 0 ? [rest] : [])
        for _ in epochs {
            for b in sizes {
                for (layer, shape) in dropouts {
                    _ = layer.forward([Tensor.zeros([b] + shape)], mode: .training, context: graph.context)
                }
            }
        }
    }

    /// A short fingerprint of the images a run trains and validates on (counts and FNV-1a of
    /// the keys and labels), stored in the checkpoint so a resume on other data is refused.
    static func dataFingerprint(_ training: ImageSet, _ validation: ImageSet) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for set in [training, validation] {
            for r in set.records {
                for b in "\(r.key.patientID)/\(r.key.series)/\(r.key.imageNumber)/\(r.label.rawValue);".utf8 {
                    h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3
                }
            }
            h = (h ^ 0xFF) &* 0x0000_0100_0000_01B3
        }
        return "\(training.count)+\(validation.count)@\(training.size):" + String(h, radix: 16)
    }

    static func readSafeTensors(_ url: URL) throws -> (tensors: [(String, Tensor)], metadata: [String: String]) {
        do { return try SafeTensors.read(from: url) } catch {
            throw TrainingError.checkpointMismatch(file: url.path, reason: "\(error)")
        }
    }
}
