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
            ("all.csv, every row", "all", nil, true), ("all.csv, de-duplicated", "all-deduplicated", nil, false)
        ]
        for f in audit.plan.folds {
            groups.append(("Fold \(f.index) training", "fold\(f.index)-train", Set(f.trainPatients), false))
            groups.append(("Fold \(f.index) test", "fold\(f.index)-test", Set(f.testPatients), false))
        }
        let header = ["Labels", "Class", "Images"] + series + thicknesses.map(LabelSources.thicknessText)
        var rows: [[String]] = [], csvRows: [[String]] = []
        for g in groups {
            for label in [ClassLabel.covid, .normal] {
                let t = s.tally(label, patients: g.patients, repeats: g.repeats)
                rows.append(
                    [g.scope, label == .covid ? "COVID-19" : "normal", NumberFormat.grouped(t.images)]
                        + series.map { DatasetAudit.countShare(t.series($0), of: t.images) }
                        + thicknesses.map { DatasetAudit.countShare(t.thickness($0), of: t.images) })
                csvRows.append(
                    [g.key, label.rawValue, "\(t.images)"] + series.map { "\(t.series($0))" }
                        + thicknesses.map { "\(t.thickness($0))" })
            }
        }
        let csv = PaperCSV.render(
            header: ["labels", "class", "images"] + series.map { $0.lowercased() }
                + thicknesses.map { $0.map { "mm_" + NumberFormat.plain($0) } ?? "mm_unknown" },
            rows: csvRows)
        let covid = s.tally(.covid), normal = s.tally(.normal)
        let other = series.filter { $0 != "SR_2" }
        let covidOther = other.map { covid.series($0) }.reduce(0, +), normalOther = other.map { normal.series($0) }.reduce(0, +)
        let normalOnly = thicknesses.filter { normal.thickness($0) > 0 && covid.thickness($0) == 0 }
        let covidOnly = thicknesses.filter { covid.thickness($0) > 0 && normal.thickness($0) == 0 }
        func kind(_ t: Double?) -> String { t == nil ? "of unknown thickness" : LabelSources.thicknessText(t) + " slices" }
        let commonest = thicknesses.max { normal.thickness($0) < normal.thickness($1) } ?? nil
        var facts = [
            Prose.text(
                "TableS6Entry.1",
                [
                    "\(NumberFormat.grouped(normal.series("SR_2")))", "\(NumberFormat.grouped(normal.images))",
                    "\(DatasetAudit.percent(normal.seriesShare("SR_2")))", "\(NumberFormat.grouped(covid.series("SR_2")))",
                    "\(NumberFormat.grouped(covid.images))", "\(NumberFormat.grouped(covidOther))",
                    "\(DatasetAudit.percent(Double(covidOther) / Double(max(covid.images, 1))))", "\(NumberFormat.grouped(normalOther))",
                    "\(other.joined(separator: " or "))"
                ])
        ]
        facts.append(
            Prose.text(
                "TableS6Entry.2",
                [
                    "\(LabelSources.thicknessText(commonest))", "\(DatasetAudit.percent(normal.thicknessShare(commonest)))",
                    "\(DatasetAudit.percent(covid.thicknessShare(commonest)))", "\(DatasetAudit.percent(covid.thicknessShare(1.5)))",
                    "\(NumberFormat.grouped(covid.thickness(1.5)))", "\(DatasetAudit.percent(normal.thicknessShare(1.5)))",
                    "\(NumberFormat.grouped(normal.thickness(1.5)))"
                ])
                + (covidOnly.isEmpty
                    ? ""
                    : "; only COVID-19 rows are "
                        + covidOnly.map { "\(kind($0)) (\(NumberFormat.grouped(covid.thickness($0))))" }.joined(separator: " or "))
                + (normalOnly.isEmpty
                    ? ""
                    : "; only normal rows are "
                        + normalOnly.map { "\(kind($0)) (\(NumberFormat.grouped(normal.thickness($0))))" }.joined(separator: " or ")) + ".")
        let results = audit.shortcuts.filter { $0.objective == .balancedAccuracy }
        let byFeature = { (f: ShortcutCheck.Feature) in DatasetAudit.mean(results.filter { $0.feature == f }.map(\.test.balancedAccuracy)) }
        let verdict =
            "the classes are not drawn from the same series. " + facts.joined(separator: " ")
            + Prose.text(
                "TableS6Entry.3",
                [
                    "\(NumberFormat.fixed(byFeature(.thickness), 3))", "\(audit.plan.folds.count)",
                    "\(NumberFormat.fixed(byFeature(.series), 3))", "\(NumberFormat.fixed(byFeature(.seriesAndThickness), 3))"
                ])
        var built = BuiltEntry(
            table: ReportTable(header: header, rows: rows), files: ["tables/tableS6.csv": Data(csv.utf8)],
            notes: [
                audit.sourceNote,
                Prose.text("TableS6Entry.4")
            ])
        built.verdict = verdict.prefix(1).uppercased() + verdict.dropFirst()
        return built
    }
}
