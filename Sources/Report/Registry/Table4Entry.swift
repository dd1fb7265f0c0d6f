import Analysis
import Foundation

/// Table 4: every CT slice of each fold's test patients, used for patient identification
/// (§3.2), from the `folds` stage, beside the paper's.
public struct Table4Entry: ReportEntry {
    public let id = EntryID(.table, 4)
    public let stages = [FoldsStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let rows = try FoldsStage.readTable4(from: inputs.stage(FoldsStage.name))
        let g = NumberFormat.grouped
        let header = ["Fold", "COVID-19 images", "COVID-19 patients", "Normal images", "Normal patients"]
        let keys = ["covid_images", "covid_patients", "normal_images", "normal_patients"]
        var tableRows: [[String]] = []
        var comparisons: [Comparison] = []
        for r in rows {
            let ours = [r.covidImages, r.covidPatients, r.normalImages, r.normalPatients]
            tableRows.append(["\(r.fold)"] + ours.map(g))
            guard let p = inputs.paper.table4.first(where: { $0.fold == r.fold }) else { continue }
            let paper = [p.covidImages, p.covidPatients, p.normalImages, p.normalPatients]
            tableRows.append(["\(r.fold) (paper)"] + paper.map(g))
            for i in keys.indices {
                comparisons.append(
                    .numeric(
                        key: "fold\(r.fold).\(keys[i])", quantity: "Fold \(r.fold): \(header[i + 1].lowercased())",
                        paper: Double(paper[i]), ours: Double(ours[i]), tolerance: Table2Entry.tolerance,
                        dependsOnData: true, syntheticData: inputs.dataSource.isSynthetic))
            }
        }
        let csv = PaperCSV.render(
            header: ["fold"] + keys,
            rows: rows.map { ["\($0.fold)", "\($0.covidImages)", "\($0.covidPatients)", "\($0.normalImages)", "\($0.normalPatients)"] })
        let covidSum = rows.map(\.covidImages).reduce(0, +)
        var notes = [
            "Each COVID-19 patient is a test patient in exactly one fold, so the COVID-19 images add up to all COVID-19 slices: \(g(covidSum)) here (the paper's add up to 15,590, one more than its Table 1; see the audit)."
        ]
        if rows.count != inputs.paper.table4.count {
            notes.append("This run uses \(rows.count) folds; the paper uses \(inputs.paper.table4.count).")
        }
        return BuiltEntry(
            table: ReportTable(header: header, rows: tableRows),
            files: ["tables/table4.csv": Data(csv.utf8)], comparisons: comparisons, notes: notes)
    }
}
