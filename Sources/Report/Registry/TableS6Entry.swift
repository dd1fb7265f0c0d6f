import Analysis
import Foundation

/// Table S6 (not in the paper): labelled images per class by series and by slice thickness,
/// for all of `all.csv` and for each fold's training and test sets (`LabelSources`).
public struct TableS6Entry: ReportEntry {
    public let id = EntryID.supplement(.table, 6)
    public let stages = DatasetAudit.stages

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let audit = try DatasetAudit(inputs)
        let s = audit.sources
        let series = s.seriesNames, thicknesses = s.thicknesses
        var groups: [(scope: String, key: String, patients: Set<String>?, repeats: Bool)] = [
            ("all.csv, every row", "all", nil, true), ("all.csv, de-duplicated", "all-deduplicated", nil, false)]
        for f in audit.plan.folds {
            groups.append(("Fold \(f.index) training", "fold\(f.index)-train", Set(f.trainPatients), false))
            groups.append(("Fold \(f.index) test", "fold\(f.index)-test", Set(f.testPatients), false))
        }
        let header = ["Labels", "Class", "Images"] + series + thicknesses.map(LabelSources.thicknessText)
        var rows: [[String]] = [], csvRows: [[String]] = []
        for g in groups {
            for label in [ClassLabel.covid, .normal] {
                let t = s.tally(label, patients: g.patients, repeats: g.repeats)
                rows.append([g.scope, label == .covid ? "COVID-19" : "normal", NumberFormat.grouped(t.images)]
                            + series.map { DatasetAudit.countShare(t.series($0), of: t.images) }
                            + thicknesses.map { DatasetAudit.countShare(t.thickness($0), of: t.images) })
                csvRows.append([g.key, label.rawValue, "\(t.images)"] + series.map { "\(t.series($0))" }
                               + thicknesses.map { "\(t.thickness($0))" })
            }
        }
        let csv = PaperCSV.render(header: ["labels", "class", "images"] + series.map { $0.lowercased() }
                                      + thicknesses.map { $0.map { "mm_" + NumberFormat.plain($0) } ?? "mm_unknown" },
                                  rows: csvRows)
        let covid = s.tally(.covid), normal = s.tally(.normal)
        let other = series.filter { $0 != "SR_2" }
        let covidOther = other.map { covid.series($0) }.reduce(0, +), normalOther = other.map { normal.series($0) }.reduce(0, +)
        let normalOnly = thicknesses.filter { normal.thickness($0) > 0 && covid.thickness($0) == 0 }
        let covidOnly = thicknesses.filter { covid.thickness($0) > 0 && normal.thickness($0) == 0 }
        func kind(_ t: Double?) -> String { t == nil ? "of unknown thickness" : LabelSources.thicknessText(t) + " slices" }
        let commonest = thicknesses.max { normal.thickness($0) < normal.thickness($1) } ?? nil
        var facts = ["\(NumberFormat.grouped(normal.series("SR_2"))) of the \(NumberFormat.grouped(normal.images)) normal rows of all.csv (\(DatasetAudit.percent(normal.seriesShare("SR_2")))) are SR_2 slices, against \(NumberFormat.grouped(covid.series("SR_2"))) of the \(NumberFormat.grouped(covid.images)) COVID-19 rows; \(NumberFormat.grouped(covidOther)) COVID-19 rows (\(DatasetAudit.percent(Double(covidOther) / Double(max(covid.images, 1))))) and \(NumberFormat.grouped(normalOther)) normal rows come from \(other.joined(separator: " or "))."]
        facts.append("\(LabelSources.thicknessText(commonest)) slices are \(DatasetAudit.percent(normal.thicknessShare(commonest))) of the normal rows and \(DatasetAudit.percent(covid.thicknessShare(commonest))) of the COVID-19 rows; 1.5 mm slices are \(DatasetAudit.percent(covid.thicknessShare(1.5))) of the COVID-19 rows (\(NumberFormat.grouped(covid.thickness(1.5)))) and \(DatasetAudit.percent(normal.thicknessShare(1.5))) of the normal ones (\(NumberFormat.grouped(normal.thickness(1.5))))"
                     + (covidOnly.isEmpty ? "" : "; only COVID-19 rows are " + covidOnly.map { "\(kind($0)) (\(NumberFormat.grouped(covid.thickness($0))))" }.joined(separator: " or "))
                     + (normalOnly.isEmpty ? "" : "; only normal rows are " + normalOnly.map { "\(kind($0)) (\(NumberFormat.grouped(normal.thickness($0))))" }.joined(separator: " or ")) + ".")
        let results = audit.shortcuts.filter { $0.objective == .balancedAccuracy }
        let byFeature = { (f: ShortcutCheck.Feature) in DatasetAudit.mean(results.filter { $0.feature == f }.map(\.test.balancedAccuracy)) }
        let verdict = "the classes are not drawn from the same series. " + facts.joined(separator: " ")
            + " A rule that sees only the slice thickness, fitted on each fold's training labels, reaches a mean test balanced accuracy of \(NumberFormat.fixed(byFeature(.thickness), 3)) over \(audit.plan.folds.count) folds; one that sees only the series, \(NumberFormat.fixed(byFeature(.series), 3)); one that sees both, \(NumberFormat.fixed(byFeature(.seriesAndThickness), 3)) (Table S7; chance is 0.5). A network can score well by recognising the series (thickness, reconstruction kernel, noise) instead of the infection (shortcut learning; DeGrave, Janizek & Lee, Nature Machine Intelligence 2021); the paper does not mention it."
        var built = BuiltEntry(table: ReportTable(header: header, rows: rows), files: ["tables/tableS6.csv": Data(csv.utf8)],
                               notes: [audit.sourceNote,
                                       "Thickness is the series' slice thickness in Patient_details.csv (unknown where it says N/A). \"Every row\" counts all.csv as the paper's Table 2 does, a slice listed under two batch folders twice (Table S8); the fold rows are de-duplicated, as this pipeline trains and tests on them."])
        built.verdict = verdict.prefix(1).uppercased() + verdict.dropFirst()
        return built
    }
}
