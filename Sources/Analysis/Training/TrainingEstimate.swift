import Foundation
import NeuralNet

/// An honest time estimate for a preset's training, from measured steps: each network is built
/// at the preset's scale, a few training steps (forward, backward, Nadam) run on random images
/// after one warm-up step, and the measured seconds per image are scaled to the preset's
/// epochs, folds and the training-set size of the paper's Table 2 (about 3,750 images per fold),
/// plus one validation/test pass per epoch at a third of a training image's cost.
///
/// Used by `paper-repro estimate` to say how long the `paper` preset would take before anyone
/// starts it; on this machine it is days.
public enum TrainingEstimate {
    /// Training images per fold in the paper (Table 2's mean, COVID + normal).
    public static let paperTrainingImagesPerFold = 3_740
    /// Validation images per epoch: the paper validates on part of the test data; assumed here
    /// to be as many as the training images (an upper-end assumption, stated in the output).
    public static let validationImagesPerEpoch = 3_740

    public struct ModelEstimate: Codable, Equatable, Sendable {
        public let model: ModelKind
        /// Measured seconds per training image (median of the timed steps).
        public let secondsPerTrainingImage: Double
        /// Loss of the last measured step (finite when the step ran correctly).
        public let lastLoss: Double
        /// Projected seconds for all folds of this model.
        public let projectedSeconds: Double
    }

    public struct Result: Codable, Equatable, Sendable {
        public let preset: String
        public let scale: ModelScale
        public let batchSize: Int
        public let stepsMeasured: Int
        public let epochs: Int
        public let folds: Int
        public let models: [ModelEstimate]
        public var projectedSeconds: Double { models.map(\.projectedSeconds).reduce(0, +) }
    }

    /// Measures `steps` training steps (after one warm-up) of each model in `models` at
    /// `preset`'s scale with batch `batchSize` (default: the preset's), and projects the time.
    public static func run(
        preset: Preset, models: [ModelKind] = ModelKind.allCases, steps: Int = 2,
        batchSize: Int? = nil, progress: (String) -> Void = { _ in }
    ) throws -> Result {
        precondition(steps >= 1, "measure at least one step")
        let batch = batchSize ?? preset.training.batchSize
        var estimates: [ModelEstimate] = []
        for model in models {
            let config = TrainStage.config(model, preset: preset)
            progress("building \(model.rawValue) at \(config.scale.inputSize) px, width ×\(config.scale.widthMultiplier)")
            let graph = try model.build(scale: config.scale, seed: preset.seed)
            let optimizer = Nadam(learningRate: config.learningRate)
            let set = FoldTraining.syntheticSet(count: batch, size: config.scale.inputSize, seed: preset.seed)
            let (x, y) = set.batch(Array(0..<batch))
            var times: [Double] = [], loss = Double.nan
            for step in 0...steps {
                let t0 = DispatchTime.now().uptimeNanoseconds
                loss = graph.trainStep(x, labels: y, optimizer: optimizer).loss
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                if step > 0 { times.append(seconds) }
                progress("\(model.rawValue): step \(step)\(step == 0 ? " (warm-up)" : "") \(String(format: "%.2f", seconds)) s")
            }
            let perImage = times.sorted()[times.count / 2] / Double(batch)
            let epochSeconds = perImage * (Double(paperTrainingImagesPerFold) + Double(validationImagesPerEpoch) / 3)
            estimates.append(
                ModelEstimate(
                    model: model, secondsPerTrainingImage: perImage, lastLoss: loss,
                    projectedSeconds: epochSeconds * Double(preset.training.epochs) * Double(preset.folds)))
        }
        return Result(
            preset: preset.name, scale: TrainStage.config(.resnet50v2, preset: preset).scale, batchSize: batch,
            stepsMeasured: steps, epochs: preset.training.epochs, folds: preset.folds, models: estimates)
    }
}
