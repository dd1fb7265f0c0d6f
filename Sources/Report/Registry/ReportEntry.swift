import Analysis
import Foundation

/// Figure or table.
public enum EntryKind: String, Sendable, Codable {
    case figure, table
}

/// A figure or table of the paper, e.g. Fig. 3 or Table 8, or one this report adds beyond the
/// paper (numbered after the paper's own: Fig. S1, Table S2).
public struct EntryID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let kind: EntryKind
    public let number: Int
    /// True for the report's own figures and tables, which the paper does not have.
    public let supplementary: Bool

    public init(_ kind: EntryKind, _ number: Int, supplementary: Bool = false) {
        self.kind = kind
        self.number = number
        self.supplementary = supplementary
    }

    /// A supplementary figure or table: `EntryID.supplement(.figure, 1)` is Fig. S1.
    public static func supplement(_ kind: EntryKind, _ number: Int) -> EntryID {
        EntryID(kind, number, supplementary: true)
    }

    /// Parses `12` or `S1` (case-insensitive) as an entry of `kind`; nil for anything else.
    public static func parse(_ text: String, kind: EntryKind) -> EntryID? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let n = Int(t), n > 0 { return EntryID(kind, n) }
        if let first = t.first, first == "S" || first == "s", let n = Int(t.dropFirst()), n > 0 {
            return .supplement(kind, n)
        }
        return nil
    }

    /// File-name stem: `fig03`, `table8`, `figS1`, `tableS2`.
    public var slug: String {
        if supplementary { return (kind == .figure ? "figS" : "tableS") + "\(number)" }
        return kind == .figure ? "fig" + (number < 10 ? "0" : "") + "\(number)" : "table\(number)"
    }

    /// How the report refers to it: `Fig. 3`, `Table 8`, `Fig. S1`.
    public var label: String {
        let n = supplementary ? "S\(number)" : "\(number)"
        return kind == .figure ? "Fig. \(n)" : "Table \(n)"
    }

    public var description: String { label }

    /// The paper's entries before the supplementary ones; figures before tables; by number.
    public static func < (a: EntryID, b: EntryID) -> Bool {
        if a.supplementary != b.supplementary { return !a.supplementary }
        return a.kind != b.kind ? a.kind == .figure : a.number < b.number
    }
}

/// What an entry's build function receives: the run's configuration and its stage outputs.
public struct EntryInputs: Sendable {
    /// The preset of the run.
    public let preset: Preset
    /// Which data the run used.
    public let dataSource: DataSourceIdentity
    /// The paper's reference values.
    public let paper: PaperTables
    /// Finished stages by name (at least every stage the entry declared).
    public let stages: [String: StageResult]

    /// The output folder of stage `name`; a programmer error if the entry did not declare it.
    public func stage(_ name: String) -> URL {
        guard let result = stages[name] else { preconditionFailure("stage '\(name)' was not run") }
        return result.directory
    }
}

/// An image an entry produced: PNG for the page, SVG beside it.
public struct EntryImage: Sendable, Equatable {
    /// Path of the PNG relative to the report folder.
    public var png: String
    /// Path of the SVG relative to the report folder.
    public var svg: String
    /// Alternative text.
    public var alt: String
}

/// A table to show in the report: header and rows of cells (already formatted text).
public struct ReportTable: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]]) {
        precondition(rows.allSatisfy { $0.count == header.count }, "every row needs one cell per column")
        self.header = header
        self.rows = rows
    }
}

/// What an entry's build function returns.
public struct BuiltEntry: Sendable {
    /// The reproduced table, shown in the report (and usually also written as CSV).
    public var table: ReportTable?
    /// Files to write, by path relative to the report folder (`tables/table3.csv`).
    public var files: [String: Data]
    /// Images among `files`, shown in the report.
    public var images: [EntryImage]
    /// When a figure's data is reproduced but its image is not drawn yet: why.
    public var missingImage: String?
    /// Paper beside this run.
    public var comparisons: [Comparison]
    /// Remarks shown under the entry (discrepancies in the paper, what differs by design).
    public var notes: [String]
    /// The entry's conclusion in one paragraph, for entries without a paper value to compare
    /// (the dataset audit); shown after the comparisons as "Verdict: …".
    public var verdict: String?
    /// True when the entry shows wall-clock measurements (Table 7): its numbers go to the
    /// manifest's `timing` block and it is the one section allowed to differ between runs.
    public var measuresWallClock = false

    public init(
        table: ReportTable? = nil, files: [String: Data] = [:], images: [EntryImage] = [],
        missingImage: String? = nil, comparisons: [Comparison] = [], notes: [String] = []
    ) {
        self.table = table
        self.files = files
        self.images = images
        self.missingImage = missingImage
        self.comparisons = comparisons
        self.notes = notes
    }
}

/// One figure or table of the registry.
///
/// To reproduce a new figure or table, write one file with a type conforming to this
/// protocol and list it in `Registry.entries` in place of its `PendingEntry`.
public protocol ReportEntry: Sendable {
    /// Which figure or table.
    var id: EntryID { get }
    /// Names of the stages whose outputs `build` reads.
    var stages: [String] { get }
    /// Stages `build` reads when the run can define them (the twin-only ones on a real dataset
    /// cannot); they run with `stages` whenever they are defined.
    var optionalStages: [String] { get }
    /// Stages `build` reads when they are already in the cache; never computed for this entry
    /// (Table 3 shows the trainings' recorded configuration when the trainings have run, and
    /// does not train fifteen networks to show a configuration).
    var cachedStages: [String] { get }
    /// Why the entry cannot be built yet, or nil when it can.
    var pendingReason: String? { get }
    /// Builds the entry from stage outputs. Called only when `pendingReason` is nil and
    /// every stage in `stages` has finished.
    func build(_ inputs: EntryInputs) throws -> BuiltEntry
}

extension ReportEntry {
    public var pendingReason: String? { nil }
    public var optionalStages: [String] { [] }
    public var cachedStages: [String] { [] }
}

/// An entry that is not reproduced yet; it appears in the report with its reason.
public struct PendingEntry: ReportEntry {
    public let id: EntryID
    public let stages: [String]
    public let reason: String
    public var pendingReason: String? { reason }

    public init(_ id: EntryID, stages: [String], reason: String) {
        self.id = id
        self.stages = stages
        self.reason = reason
    }

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        preconditionFailure("\(id) is pending: \(reason)")
    }
}
