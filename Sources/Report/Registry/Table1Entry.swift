import Analysis
import Foundation

/// Table 1: patients and images per class of the data in use, beside the paper's
/// 95 / 282 patients and 15,589 / 48,260 images (§2.1).
///
/// Image counts are all CT slices of all series (not only the expert-labelled ones). They
/// compare with the paper's only for the real dataset read in full; for the synthetic twin
/// they describe the twin.
public struct Table1Entry: ReportEntry {
    public let id = EntryID(.table, 1)
    public let stages = [IndexStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let ours = try IndexStage.readCounts(from: inputs.stage(IndexStage.name))
        let paper = inputs.paper.table1
        let g = NumberFormat.grouped
        let source = inputs.dataSource.isSynthetic ? "This run (synthetic twin)" : "This run (real dataset)"
        let table = ReportTable(
            header: ["", "COVID-19 patients", "Normal patients", "COVID-19 images", "Normal images"],
            rows: [
                ["Paper", g(paper.covidPatients), g(paper.normalPatients), g(paper.covidImages), g(paper.normalImages)],
                [source, g(ours.covidPatients), g(ours.normalPatients), g(ours.covidImages), g(ours.normalImages)]
            ])
        let csv = PaperCSV.render(
            header: ["source", "covid_patients", "normal_patients", "covid_images", "normal_images"],
            rows: [
                ["paper", "\(paper.covidPatients)", "\(paper.normalPatients)", "\(paper.covidImages)", "\(paper.normalImages)"],
                ["this_run", "\(ours.covidPatients)", "\(ours.normalPatients)", "\(ours.covidImages)", "\(ours.normalImages)"]
            ])
        let synthetic = inputs.dataSource.isSynthetic
        let comparisons: [Comparison] = [
            ("covid_patients", "COVID-19 patients", paper.covidPatients, ours.covidPatients),
            ("normal_patients", "Normal patients", paper.normalPatients, ours.normalPatients),
            ("covid_images", "COVID-19 images", paper.covidImages, ours.covidImages),
            ("normal_images", "Normal images", paper.normalImages, ours.normalImages)
        ].map { key, name, p, o in
            .numeric(
                key: key, quantity: name, paper: Double(p), ours: Double(o), tolerance: .exact,
                dependsOnData: true, syntheticData: synthetic)
        }
        var notes = [
            "Images are all CT slices of every series the reader found, as in the paper's Table 1 (not only the expert-labelled slices of Table 2)."
        ]
        if let subset = inputs.preset.data.patientSubset {
            notes.append("The preset limits the data to \(subset) patients per class, so the counts cannot match the paper's.")
        }
        // Every series left out and file skipped while reading the data, with its reason.
        let summary = try IndexStage.readSummary(from: inputs.stage(IndexStage.name))
        if summary.excludedSeries.isEmpty && summary.skippedFiles.isEmpty {
            notes.append("Reading the data left out no series and skipped no file.")
        } else {
            notes.append(
                "Reading the data left out \(summary.excludedSeries.count) series and skipped \(summary.skippedFiles.count) files; the counts above are without them. They are listed below with their reasons."
            )
            notes += summary.excludedSeries.map { "Series left out: `\($0.path)`: \($0.reason)." }
            notes += summary.skippedFiles.map { "File skipped: `\($0.path)`: \($0.reason)." }
        }
        return BuiltEntry(table: table, files: ["tables/table1.csv": Data(csv.utf8)], comparisons: comparisons, notes: notes)
    }
}
