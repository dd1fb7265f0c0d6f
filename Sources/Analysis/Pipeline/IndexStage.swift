import AtomicFiles
import Foundation

/// Where the `index` stage finds the dataset.
public enum DatasetLocation: Codable, Sendable, Equatable {
    /// A folder on disk (the real COVID-CTset), identified by its listing hash.
    case path(String)
    /// The output folder of an upstream stage (e.g. the synthetic twin's generator),
    /// optionally a subfolder of it.
    case upstream(stage: String, subfolder: String)
}

/// The `index` stage: reads the dataset's tree (patients, series, slices, labels) with
/// `DatasetReader` (§2.1; Table 1, Figs. 2-3).
///
/// Outputs `counts.json` (`DatasetCounts`: Table 1's patients and images per class),
/// `summary.json` (`DatasetSummary`: per-series statistics and the reader's notes) and
/// `dataset.json` (the whole `Dataset`, which downstream stages read instead of walking the
/// tree again). Its configuration is the data source's identity (path and listing hash),
/// so it reruns whenever a file is added, removed or resized.
public enum IndexStage: Stage {
    /// The stage's name.
    public static let name = "index"
    public static let countsFile = "counts.json"
    public static let summaryFile = "summary.json"
    public static let datasetFile = "dataset.json"

    /// Where the data are and what they are, and how strictly to read them.
    public struct Config: Codable, Sendable, Equatable {
        var format = 2
        public var location: DatasetLocation
        public var identity: DataSourceIdentity
        /// True to fail on any data problem; nil (not false) otherwise, so the key changes only then.
        public var strict: Bool?
        public var patientSubset: Int?
    }

    /// Everything the stage writes.
    public struct Output: Sendable {
        public var counts: DatasetCounts
        public var summary: DatasetSummary
        public var dataset: Dataset
    }

    /// The stage definition for the dataset at `location`, identified by `identity`.
    /// With `strict`, any data problem fails the stage instead of leaving the series or file
    /// out (`DatasetReader.Options.strict`); the key changes only then. With `patientSubset`,
    /// only the first that many patients of each class are indexed (`Dataset.subset`).
    public static func definition(
        location: DatasetLocation, identity: DataSourceIdentity, strict: Bool = false,
        patientSubset: Int? = nil
    ) -> StageDefinition {
        var upstream: [String] = []
        if case .upstream(let stage, _) = location { upstream = [stage] }
        return StageDefinition(
            IndexStage.self, upstream: upstream,
            config: Config(location: location, identity: identity, strict: strict ? true : nil, patientSubset: patientSubset))
    }

    public static func run(_ config: Config, in context: StageContext) throws {
        let root: String
        switch config.location {
        case .path(let path): root = path
        case .upstream(let stage, let subfolder):
            root = subfolder.isEmpty ? context.upstream(stage).path : context.upstream(stage).appendingPathComponent(subfolder).path
        }
        var dataset = try DatasetReader.read(root: root, options: .init(strict: config.strict ?? false))
        if let n = config.patientSubset { dataset = dataset.subset(patientsPerClass: n) }
        let out = context.outputDirectory
        try AtomicFile.write(CanonicalJSON.encodePretty(dataset.counts), to: out.appendingPathComponent(countsFile))
        try AtomicFile.write(CanonicalJSON.encodePretty(DatasetSummary(dataset)), to: out.appendingPathComponent(summaryFile))
        try AtomicFile.write(CanonicalJSON.encode(dataset), to: out.appendingPathComponent(datasetFile))
    }

    /// Reads the counts, the summary and the dataset.
    public static func read(from directory: URL) throws -> Output {
        Output(
            counts: try readCounts(from: directory), summary: try readSummary(from: directory),
            dataset: try readDataset(from: directory))
    }

    /// Reads Table 1's counts from the stage's folder.
    public static func readCounts(from directory: URL) throws -> DatasetCounts {
        try read(DatasetCounts.self, directory.appendingPathComponent(countsFile))
    }

    /// Reads the indexed dataset from the stage's folder.
    /// Reads the summary (`data index`'s output, with the series left out and files skipped).
    public static func readSummary(from directory: URL) throws -> DatasetSummary {
        try read(DatasetSummary.self, directory.appendingPathComponent(summaryFile))
    }

    public static func readDataset(from directory: URL) throws -> Dataset {
        try read(Dataset.self, directory.appendingPathComponent(datasetFile))
    }

    static func read<T: Decodable>(_ type: T.Type, _ url: URL) throws -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(contentsOf: url)) } catch {
            throw PipelineError.io(file: url.path, reason: "\(error)")
        }
    }
}
