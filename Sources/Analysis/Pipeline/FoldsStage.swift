import AtomicFiles
import Foundation

/// The `folds` stage: the five-fold split of §2.4 (Tables 2 and 4) with `FoldPlan`, from the
/// `index` stage's dataset.
///
/// Outputs `folds.json` (the `FoldPlan`: train / validation / test patients per fold),
/// `table2.json` (`[FoldCounts]`, labelled images per side and class) and `table4.json`
/// (`[FoldTestData]`, all slices of each fold's test patients).
public enum FoldsStage: Stage {
    /// The stage's name.
    public static let name = "folds"
    public static let foldsFile = "folds.json"
    public static let table2File = "table2.json"
    public static let table4File = "table4.json"

    /// What the split depends on.
    public struct Config: Codable, Sendable, Equatable {
        var format = 1
        public var folds: Int
        public var seed: UInt64
        public var validation: ValidationSource
    }

    /// Everything the stage writes.
    public struct Output: Sendable {
        public var plan: FoldPlan
        public var table2: [FoldCounts]
        public var table4: [FoldTestData]
    }

    /// The stage definition: `folds` folds seeded with `seed` (the preset's).
    public static func definition(folds: Int, seed: UInt64, validation: ValidationSource = .testSubset) -> StageDefinition {
        StageDefinition(
            FoldsStage.self, upstream: [IndexStage.name], config: Config(folds: folds, seed: seed, validation: validation))
    }

    public static func run(_ config: Config, in context: StageContext) throws {
        let dataset = try IndexStage.readDataset(from: context.upstream(IndexStage.name))
        let plan = FoldPlan.make(
            patients: dataset.patients.map { ($0.id, $0.label) }, labelled: dataset.labelled,
            seed: config.seed, validation: config.validation, folds: config.folds)
        let labels = Dictionary(dataset.patients.map { ($0.id, $0.label) }, uniquingKeysWith: { a, _ in a })
        let out = context.outputDirectory
        try AtomicFile.write(CanonicalJSON.encode(plan), to: out.appendingPathComponent(foldsFile))
        try AtomicFile.write(
            CanonicalJSON.encodePretty(plan.table2(labels: labels, labelled: dataset.labelled)),
            to: out.appendingPathComponent(table2File))
        try AtomicFile.write(CanonicalJSON.encodePretty(plan.table4(dataset: dataset)), to: out.appendingPathComponent(table4File))
    }

    /// Reads the plan and both tables.
    public static func read(from directory: URL) throws -> Output {
        Output(plan: try readPlan(from: directory), table2: try readTable2(from: directory), table4: try readTable4(from: directory))
    }

    /// Reads the fold plan.
    public static func readPlan(from directory: URL) throws -> FoldPlan {
        try IndexStage.read(FoldPlan.self, directory.appendingPathComponent(foldsFile))
    }

    /// Reads Table 2's rows.
    public static func readTable2(from directory: URL) throws -> [FoldCounts] {
        try IndexStage.read([FoldCounts].self, directory.appendingPathComponent(table2File))
    }

    /// Reads Table 4's rows.
    public static func readTable4(from directory: URL) throws -> [FoldTestData] {
        try IndexStage.read([FoldTestData].self, directory.appendingPathComponent(table4File))
    }
}
