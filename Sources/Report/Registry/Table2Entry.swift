import Analysis
import Foundation

/// Table 2: training and test patients and labelled images per fold (§2.4), from the
/// `folds` stage, beside the paper's.
///
/// The split is this project's seeded one (the paper's patient lists are not published), so
/// per-fold counts are compared with a 10% relative tolerance, and only for the real dataset.
public struct Table2Entry: ReportEntry {
    public let id = EntryID(.table, 2)
    public let stages = [FoldsStage.name]
    /// Relative tolerance on per-fold counts.
    public static let tolerance = Tolerance.relative(0.10)

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let rows = try FoldsStage.readTable2(from: inputs.stage(FoldsStage.name))
        let g = NumberFormat.grouped
        let header = [
            "Fold", "Train COVID patients", "Train COVID images", "Train normal patients", "Train normal images",
            "Test COVID patients", "Test COVID images", "Test normal patients", "Test normal images"
        ]
        func cells(_ r: FoldCounts) -> [Int] {
            [
                r.trainCovidPatients, r.trainCovidImages, r.trainNormalPatients, r.trainNormalImages,
                r.testCovidPatients, r.testCovidImages, r.testNormalPatients, r.testNormalImages
            ]
        }
        func paperCells(_ r: PaperFoldSplit) -> [Int] {
            [
                r.trainCovidPatients, r.trainCovidImages, r.trainNormalPatients, r.trainNormalImages,
                r.testCovidPatients, r.testCovidImages, r.testNormalPatients, r.testNormalImages
            ]
        }
        var tableRows: [[String]] = []
        var comparisons: [Comparison] = []
        let keys = [
            "train_covid_patients", "train_covid_images", "train_normal_patients", "train_normal_images",
            "test_covid_patients", "test_covid_images", "test_normal_patients", "test_normal_images"
        ]
        for r in rows {
            tableRows.append(["\(r.fold)"] + cells(r).map(g))
            guard let p = inputs.paper.table2.first(where: { $0.fold == r.fold }) else { continue }
            tableRows.append(["\(r.fold) (paper)"] + paperCells(p).map(g))
            for (i, (ours, paper)) in zip(cells(r), paperCells(p)).enumerated() {
                comparisons.append(
                    .numeric(
                        key: "fold\(r.fold).\(keys[i])", quantity: "Fold \(r.fold): \(header[i + 1].lowercased())",
                        paper: Double(paper), ours: Double(ours), tolerance: Table2Entry.tolerance,
                        dependsOnData: true, syntheticData: inputs.dataSource.isSynthetic))
            }
        }
        let csv = PaperCSV.render(header: ["fold"] + keys, rows: rows.map { ["\($0.fold)"] + cells($0).map(String.init) })
        var notes = [
            "Images are the expert-labelled slices (`all.csv`) of each side's patients. Test COVID patients are split in proportion to the paper's 18/23/18/14/22; normal training patients are drawn until their images match the COVID training images."
        ]
        if rows.count != inputs.paper.table2.count {
            notes.append(
                "This run uses \(rows.count) folds (preset `\(inputs.preset.name)`); the paper uses \(inputs.paper.table2.count), so only the first \(min(rows.count, inputs.paper.table2.count)) are compared."
            )
        }
        return BuiltEntry(
            table: ReportTable(header: header, rows: tableRows),
            files: ["tables/table2.csv": Data(csv.utf8)], comparisons: comparisons, notes: notes)
    }
}
