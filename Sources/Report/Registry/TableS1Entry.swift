import Analysis
import Foundation

/// Table S1 (not in the paper): the selection parameter sweep behind Fig. S1, with the
/// "min + (max − min)/1.5" variant, as numbers.
public struct TableS1Entry: ReportEntry {
    public let id = EntryID.supplement(.table, 1)
    public let stages = [SelectionValidationStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let rows = try SelectionValidationStage.read(from: inputs.stage(SelectionValidationStage.name))
        func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "—" }
        func rule(_ r: SelectionValidationStage.Row) -> String {
            r.rule == .range ? "(max − min) / \(NumberFormat.plain(r.divisor))" : "min + (max − min) / \(NumberFormat.plain(r.divisor))"
        }
        let table = ReportTable(
            header: [
                "Dark value", "Threshold", "Precision", "Recall", "Mean series precision", "Mean series recall", "Labelled kept",
                "Closed dropped", "Paper's"
            ],
            rows: rows.map { r in
                [
                    "\(r.darkValue)", rule(r), f(r.precision), f(r.recall), f(r.meanSeriesPrecision), f(r.meanSeriesRecall),
                    f(r.labelledKept), f(r.closedDropped), r.isPaper ? "yes" : ""
                ]
            })
        let csv = PaperCSV.render(
            header: [
                "dark_value", "divisor", "rule", "slices", "precision", "recall", "mean_series_precision", "mean_series_recall",
                "labelled_kept", "closed_dropped"
            ],
            rows: rows.map { r in
                [
                    "\(r.darkValue)", NumberFormat.plain(r.divisor), r.rule.rawValue, "\(r.slices)", f(r.precision), f(r.recall),
                    f(r.meanSeriesPrecision), f(r.meanSeriesRecall), f(r.labelledKept), f(r.closedDropped)
                ]
            })
        return BuiltEntry(
            table: table, files: ["tables/tableS1.csv": Data(csv.utf8)], images: [],
            notes: [Prose.text("TableS1Entry.1")])
    }
}
