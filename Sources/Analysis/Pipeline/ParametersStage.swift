import AtomicFiles
import Foundation

/// The `parameters` stage: the training parameters a run actually uses (Table 3).
///
/// Output `parameters.json`: the preset's model scale and training block — the same fields
/// every `train-<model>-fold<k>` stage builds its `TrainingConfig` from
/// (`TrainStage.config(_:preset:)`, `Preset.Training.augmentation`), so Table 3 shows what
/// training used. The optimizer and loss are the only ones implemented (`Preset.load`
/// rejects any other).
public enum ParametersStage: Stage {
    /// The stage's name.
    public static let name = "parameters"
    /// Output file name.
    public static let file = "parameters.json"

    /// What the stage writes.
    public struct Output: Codable, Sendable, Equatable {
        public var model: Preset.ModelScale
        public var training: Preset.Training
        public var folds: Int
    }

    /// The stage records its configuration: the preset's scale, training block and folds.
    public typealias Config = Output

    /// The stage definition for `preset`.
    public static func definition(preset: Preset) -> StageDefinition {
        StageDefinition(ParametersStage.self, config: Output(model: preset.model, training: preset.training, folds: preset.folds))
    }

    public static func run(_ config: Config, in context: StageContext) throws {
        try AtomicFile.write(CanonicalJSON.encodePretty(config), to: context.outputDirectory.appendingPathComponent(file))
    }

    /// Reads the stage's output from its folder.
    public static func read(from directory: URL) throws -> Output {
        let url = directory.appendingPathComponent(file)
        do { return try JSONDecoder().decode(Output.self, from: Data(contentsOf: url)) } catch {
            throw PipelineError.io(file: url.path, reason: "\(error)")
        }
    }
}
