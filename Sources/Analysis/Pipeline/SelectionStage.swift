import AtomicFiles
import Foundation

/// The `selection` stage: the paper's dark-pixel slice selection on every series of the
/// indexed dataset (§2.2, Figs. 4-8), with `SliceSelector`.
///
/// Output `selection.json`: the `SelectionResult` (per series: image numbers, dark-pixel
/// counts, threshold, kept flags; failed series with reasons).
public enum SelectionStage {
    /// The stage's name.
    public static let name = "selection"
    public static let file = "selection.json"

    /// The stage definition; reads the `index` stage's dataset.
    public static func definition(parameters: SelectionParameters = .paper) -> StageDefinition {
        struct Configuration: Codable { var format = 1; var parameters: SelectionParameters }
        let configuration = CanonicalJSON.encode(Configuration(parameters: parameters))
        return StageDefinition(name: name, upstream: [IndexStage.name], configuration: configuration) { context in
            let dataset = try IndexStage.readDataset(from: context.upstream(IndexStage.name))
            let result = SliceSelector.select(dataset: dataset, parameters: parameters)
            try AtomicFile.write(CanonicalJSON.encode(result), to: context.outputDirectory.appendingPathComponent(file))
        }
    }

    /// Reads the stage's output from its folder.
    public static func read(from directory: URL) throws -> SelectionResult {
        try IndexStage.read(SelectionResult.self, directory.appendingPathComponent(file))
    }
}
