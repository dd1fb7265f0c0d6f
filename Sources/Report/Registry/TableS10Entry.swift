import Analysis
import Foundation

/// Table S10 (not in the paper; dataset audit): the counterfactual test of what each network
/// looks at — the twin's labelled test slices rendered again with their lesions removed (COVID)
/// or implanted (normal SR_2), classified by the fold's networks (`ShortcutStage`).
public struct TableS10Entry: ReportEntry {
    public let id = EntryID.supplement(.table, 10)
    public let stages = [ShortcutStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let results = try ShortcutStage.read(from: inputs.stage(ShortcutStage.name))
        func share(_ k: Int, _ n: Int) -> String {
            guard n > 0 else { return "—" }
            let ci = Intervals.wilson(successes: k, trials: n)
            return String(format: "%.3f (%.3f–%.3f)", Double(k) / Double(n), ci.lower, ci.upper)
        }
        let rows = results.map { r in
            [
                r.label, "\(r.covidSlices)", share(r.covidCalledAsStored, r.covidSlices), share(r.covidCalledWithoutLesions, r.covidSlices),
                "\(r.normalSlices)", share(r.normalCalledAsStored, r.normalSlices), share(r.normalCalledWithLesions, r.normalSlices)
            ]
        }
        let header = [
            "Network", "COVID slices", "Called COVID as stored", "Called COVID without lesions",
            "Normal SR_2 slices", "Called COVID as stored", "Called COVID with lesions drawn in"
        ]
        let csv = PaperCSV.render(
            header: [
                "network", "covid_slices", "covid_called_as_stored", "covid_called_without_lesions",
                "normal_slices", "normal_called_as_stored", "normal_called_with_lesions"
            ],
            rows: results.map { r in
                [
                    r.label, "\(r.covidSlices)", "\(r.covidCalledAsStored)", "\(r.covidCalledWithoutLesions)",
                    "\(r.normalSlices)", "\(r.normalCalledAsStored)", "\(r.normalCalledWithLesions)"
                ]
            })
        var notes = [
            Prose.text("TableS10Entry.1", ["\(ShortcutStage.normalPerFold)"])
        ]
        for r in results where r.covidSlices > 0 && r.normalSlices > 0 {
            let without = Double(r.covidCalledWithoutLesions) / Double(r.covidSlices)
            let with = Double(r.normalCalledWithLesions) / Double(r.normalSlices)
            let verdict: String
            if without <= 0.1 && with >= 0.8 {
                verdict =
                    "reads the lesions: removing them makes \(String(format: "%.0f%%", 100 * (1 - without))) of COVID slices normal, drawing them in makes \(String(format: "%.0f%%", 100 * with)) of normal slices COVID-19"
            } else if without <= 0.1 {
                verdict = Prose.text(
                    "TableS10Entry.2",
                    [
                        "\(String(format: "%.0f%%", 100 * (1 - without)))", "\(String(format: "%.0f%%", 100 * with))",
                        "\(String(format: "%.0f%%", 100 * Double(r.covidCalledAsStored) / Double(r.covidSlices)))"
                    ])
            } else if without > 0.3 {
                verdict =
                    "takes a shortcut: \(String(format: "%.0f%%", 100 * without)) of COVID slices are still called COVID-19 with no lesion in them"
            } else {
                verdict =
                    "mostly reads the lesions, not fully: \(String(format: "%.0f%%", 100 * without)) of lesion-free COVID slices still called COVID-19, \(String(format: "%.0f%%", 100 * with)) of normal slices with lesions called COVID-19"
            }
            notes.append("\(r.label) \(verdict).")
        }
        notes.append(
            "On COVID-CTset itself this test cannot be run (no one can remove a real patient's lesions); the label-source entries show how far series and thickness alone separate its classes."
        )
        return BuiltEntry(table: ReportTable(header: header, rows: rows), files: ["tables/tableS10.csv": Data(csv.utf8)], notes: notes)
    }
}
