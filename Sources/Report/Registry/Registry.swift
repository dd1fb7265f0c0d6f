import Analysis
import Foundation

/// Every figure and table of the paper, in the paper's order, each reproduced or pending.
///
/// Adding a reproduction: write `Entries/<Slug>Entry.swift` with a `ReportEntry` and replace
/// its `PendingEntry` line below. Stages an entry names must be defined in `PipelineStages` (Analysis).
public enum Registry {
    /// The paper's twenty entries, figures 1-12 then tables 1-8, then the report's own (S1, …).
    public static let entries: [any ReportEntry] = [
        Figure1Entry(),
        Figure2Entry(),
        Figure3Entry(),
        Figure4Entry(),
        Figure5Entry(),
        Figure6Entry(),
        Figure7Entry(),
        Figure8Entry(),
        Figure9Entry(),
        Figure10Entry(),
        Figure11Entry(),
        Figure12Entry(),
        Table1Entry(),
        Table2Entry(),
        Table3Entry(),
        Table4Entry(),
        Table5Entry(),
        Table6Entry(),
        Table7Entry(),
        Table8Entry(),
        TableS5Entry(),
        FigureS1Entry(),
        TableS1Entry(),
        FigureS2Entry(),
        TableS2Entry(),
        TableS3Entry(),
        FigureS3Entry(),
        TableS4Entry(),
        TableS6Entry(),
        FigureS4Entry(),
        TableS7Entry(),
        TableS8Entry(),
        TableS9Entry(),
        TableS10Entry(),
        TableS11Entry(),
        TableS12Entry(),
        TableS13Entry()
    ]

    /// The dataset audit's entries, in the order of their section ("Dataset audit", after
    /// "Beyond the paper"): where the labels come from, repeated labels, leakage, and on the twin
    /// what the networks look at (counterfactual), the metadata-only baseline and the metrics
    /// by series and thickness.
    public static let datasetAudit: [EntryID] = [
        .supplement(.table, 6), .supplement(.figure, 4), .supplement(.table, 7),
        .supplement(.table, 8), .supplement(.table, 9), .supplement(.table, 10),
        .supplement(.table, 11), .supplement(.table, 12), .supplement(.table, 13)
    ]

    /// The entry for `id`.
    /// - Throws: `ReportError.unknownEntry` when the paper has no such figure or table.
    public static func entry(_ id: EntryID) throws -> any ReportEntry {
        guard let e = entries.first(where: { $0.id == id }) else {
            throw ReportError.unknownEntry(label: id.label)
        }
        return e
    }
}
