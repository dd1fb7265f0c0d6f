import Analysis
import Foundation

/// Table S8 (not in the paper): the rows of `all.csv` that repeat a slice under a second batch
/// folder, and Table 2's normal columns counted with and without them — the paper's and this
/// run's folds.
public struct TableS8Entry: ReportEntry {
    public let id = EntryID.supplement(.table, 8)
    public let stages = DatasetAudit.stages

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let audit = try DatasetAudit(inputs)
        let s = audit.sources
        let g = NumberFormat.grouped
        let all = s.tally(.normal), distinct = s.tally(.normal, repeats: false)
        let repeats = s.repeats, normalRepeats = all.images - distinct.images
        let header = ["Fold", "Counting", "Train normal images", "Test normal images", "Train + test", "Repeated rows among them"]
        var rows: [[String]] = [
            ["all.csv", "every row", "—", "—", g(all.images), g(all.images - distinct.images)],
            ["all.csv", "de-duplicated", "—", "—", g(distinct.images), "0"]
        ]
        var csv: [[String]] = [["all", "all.csv every row", "", "", "\(all.images)", "\(all.images - distinct.images)", "", ""]]
        csv.append(["all", "all.csv de-duplicated", "", "", "\(distinct.images)", "0", "", ""])
        var comparisons: [Comparison] = []
        let paper = PaperRepeats.of(inputs.paper.table2, sources: s)
        for p in paper {
            let range =
                p.testRepeats.map { "all \(g(normalRepeats)); \(g($0.lowerBound))–\(g($0.upperBound)) of them in the test set" }
                ?? "unknown: not all.csv's normal rows"
            rows.append(["\(p.fold)", "paper (Table 2)", g(p.trainNormal), g(p.testNormal), g(p.trainNormal + p.testNormal), range])
            csv.append([
                "\(p.fold)", "paper", "\(p.trainNormal)", "\(p.testNormal)", "\(p.trainNormal + p.testNormal)",
                p.countsRepeats ? "\(normalRepeats)" : "",
                p.testRepeats.map { "\($0.lowerBound)" } ?? "", p.testRepeats.map { "\($0.upperBound)" } ?? ""
            ])
            comparisons.append(
                .numeric(
                    key: "fold\(p.fold).normal_images_with_repeats",
                    quantity: "Fold \(p.fold): normal train + test images against all.csv's normal rows counting repeats",
                    paper: Double(p.trainNormal + p.testNormal), ours: Double(all.images),
                    tolerance: .exact, dependsOnData: false, syntheticData: inputs.dataSource.isSynthetic))
        }
        for f in audit.plan.folds {
            let train = Set(f.trainPatients), test = Set(f.testPatients)
            for (counting, withRepeats) in [("this run, repeats counted", true), ("this run, de-duplicated (used)", false)] {
                let a = s.tally(.normal, patients: train, repeats: withRepeats).images
                let b = s.tally(.normal, patients: test, repeats: withRepeats).images
                let r = withRepeats ? a + b - s.tally(.normal, patients: train.union(test), repeats: false).images : 0
                rows.append(["\(f.index)", counting, g(a), g(b), g(a + b), g(r)])
                csv.append(["\(f.index)", counting, "\(a)", "\(b)", "\(a + b)", "\(r)", "", ""])
            }
        }
        let table = PaperCSV.render(
            header: [
                "fold", "counting", "train_normal_images", "test_normal_images", "train_plus_test",
                "repeats", "paper_test_repeats_at_least", "paper_test_repeats_at_most"
            ], rows: csv)
        // Every repeated row beside the row it repeats.
        var first: [SliceKey: String] = [:]
        for r in s.rows where !r.isRepeat { first[r.slice.key] = r.slice.filename }
        let list = PaperCSV.render(
            header: ["repeat_filename", "first_filename", "patient", "series", "image", "class"],
            rows: repeats.map { r in
                [
                    r.slice.filename, first[r.slice.key] ?? "", r.slice.patientID, r.slice.series,
                    "\(r.slice.imageNumber)", r.slice.label.rawValue
                ]
            })
        let pairs = Dictionary(grouping: repeats) { r in
            "\(first[r.slice.key].map { String($0.prefix { $0 != "_" }) } ?? "?") → \(r.slice.batch)"
        }
        .map { ($0.key, $0.value.count) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        let patients = Set(repeats.map(\.slice.patientID)).count
        let matching = paper.filter(\.countsRepeats)
        var notes = [
            audit.sourceNote,
            Prose.text(
                "TableS8Entry.1",
                ["\(g(repeats.count))", "\(pairs.map { "\($0.0): \(g($0.1))" }.joined(separator: "; "))", "\(g(patients))"])
        ]
        if let p = matching.first, let r = p.testRepeats {
            notes.append(
                Prose.text(
                    "TableS8Entry.2",
                    [
                        "\(matching.count)", "\(paper.count)", "\(matching.map { "\($0.fold)" }.joined(separator: ", "))",
                        "\(g(all.images))", "\(g(distinct.images))", "\(DatasetAudit.percent(s.maxRepeatShare(.normal)))", "\(p.fold)",
                        "\(g(p.trainNormal))", "\(g(Int((Double(p.trainNormal) * s.maxRepeatShare(.normal)).rounded(.down))))",
                        "\(g(r.lowerBound))"
                    ]))
        }
        var built = BuiltEntry(
            table: ReportTable(header: header, rows: rows),
            files: ["tables/tableS8.csv": Data(table.utf8), "tables/tableS8-repeated-rows.csv": Data(list.utf8)],
            comparisons: comparisons, notes: notes)
        built.verdict =
            matching.isEmpty
            ? "None of the paper's folds counts exactly all.csv's normal rows with repeats."
            : Prose.text(
                "TableS8Entry.3",
                [
                    "\(g(normalRepeats))", "\(g(matching.compactMap(\.testRepeats).map(\.lowerBound).min()!))",
                    "\(g(matching.compactMap(\.testRepeats).map(\.upperBound).max()!))"
                ])
        return built
    }
}
