import AtomicFiles
import Foundation

/// The `selection` stage: the paper's dark-pixel slice selection on every series of the
/// indexed dataset (§2.2, Figs. 4-8), with `SliceSelector`.
///
/// Output `selection.json`: the `SelectionResult` (per series: image numbers, dark-pixel
/// counts, threshold, kept flags; failed series with reasons).
public enum SelectionStage: Stage {
    /// The stage's name.
    public static let name = "selection"
    public static let file = "selection.json"

    /// The selection's parameters.
    public struct Config: Codable, Sendable, Equatable {
        var format = 1
        public var parameters: SelectionParameters
    }

    /// The stage definition; reads the `index` stage's dataset.
    public static func definition(parameters: SelectionParameters = .paper) -> StageDefinition {
        StageDefinition(SelectionStage.self, upstream: [IndexStage.name], config: Config(parameters: parameters))
    }

    public static func run(_ config: Config, in context: StageContext) throws {
        let dataset = try IndexStage.readDataset(from: context.upstream(IndexStage.name))
        let result = SliceSelector.select(dataset: dataset, parameters: config.parameters)
        try AtomicFile.write(CanonicalJSON.encode(result), to: context.outputDirectory.appendingPathComponent(file))
    }

    /// Reads the stage's output from its folder.
    public static func read(from directory: URL) throws -> SelectionResult {
        try IndexStage.read(SelectionResult.self, directory.appendingPathComponent(file))
    }
}
