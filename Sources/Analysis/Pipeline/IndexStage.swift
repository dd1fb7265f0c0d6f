import Foundation

/// The `index` stage: reads the dataset's tree (patients, series, slices, labels) with
/// `DatasetReader` (§2.1; Table 1, Figs. 2-3).
///
/// Outputs `counts.json` (`DatasetCounts`: Table 1's patients and images per class) and
/// `summary.json` (`DatasetSummary`: per-series statistics and the reader's notes).
/// Its configuration is the data source's identity (path and listing hash), so it reruns
/// whenever a file is added, removed or resized.
public enum IndexStage {
    /// The stage's name.
    public static let name = "index"
    public static let countsFile = "counts.json"
    public static let summaryFile = "summary.json"

    /// The stage definition for the dataset at `root`, identified by `identity`.
    public static func definition(root: String, identity: DataSourceIdentity) -> StageDefinition {
        struct Configuration: Codable { var format = 1; var identity: DataSourceIdentity }
        let configuration = CanonicalJSON.encode(Configuration(identity: identity))
        return StageDefinition(name: name, configuration: configuration) { context in
            let dataset = try DatasetReader.read(root: root)
            try AtomicFile.write(CanonicalJSON.encodePretty(dataset.counts),
                                 to: context.outputDirectory.appendingPathComponent(countsFile))
            try AtomicFile.write(CanonicalJSON.encodePretty(DatasetSummary(dataset)),
                                 to: context.outputDirectory.appendingPathComponent(summaryFile))
        }
    }

    /// Reads Table 1's counts from the stage's folder.
    public static func readCounts(from directory: URL) throws -> DatasetCounts {
        let url = directory.appendingPathComponent(countsFile)
        do { return try JSONDecoder().decode(DatasetCounts.self, from: Data(contentsOf: url)) } catch {
            throw PipelineError.io(file: url.path, reason: "\(error)")
        }
    }
}
