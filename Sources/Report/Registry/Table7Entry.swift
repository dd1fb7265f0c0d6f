import Analysis
import Foundation

/// Table 7: the whole automated system's time per patient (§3.2), from the `timing` stage,
/// beside the paper's times (a Tesla P100 GPU). Wall-clock measurements: the only entry whose
/// numbers differ between runs (its section and these numbers are kept out of the report's
/// determinism checks and in the manifest's `timing` block).
public struct Table7Entry: ReportEntry {
    public let id = EntryID(.table, 7)
    public let stages = [TimingStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let record = try TimingStage.read(from: inputs.stage(TimingStage.name))
        func s(_ x: Double) -> String { String(format: "%.3f", x) }
        var rows: [[String]] = [], csv: [[String]] = [], comparisons: [Comparison] = []
        let hardware = "P100 GPU vs this \(record.machine.cores)-core CPU"
        let reduced = inputs.preset.model.inputSize < 512 || inputs.preset.model.widthMultiplier < 1
        let why = reduced ? "\(hardware), reduced networks" : hardware
        var sumWith = 0.0, sumWithout = 0.0
        for e in record.entries {
            let w = e.withSelection.median, wo = e.withoutSelection.median
            sumWith += w.total; sumWithout += wo.total
            let paper = inputs.paper.table7.first { $0.slices == e.target }
            rows.append([
                "\(e.target)", paper?.printed ?? "—", e.patient, "\(e.slices)", "\(e.selected)", s(w.total),
                s(w.readSelect), s(w.readPrepare), s(w.inference), s(w.decision), s(wo.total),
                paper.map { String(format: "%.2f", w.total / $0.seconds) } ?? "—"
            ])
            csv.append([
                "\(e.target)", paper.map { "\($0.seconds)" } ?? "", e.patient, "\(e.slices)", "\(e.selected)",
                "\(w.total)", "\(w.readSelect)", "\(w.readPrepare)", "\(w.inference)", "\(w.decision)", "\(wo.total)",
                "\(e.withoutSelection.classified)"
            ])
            if let paper {
                var c = Comparison.numeric(
                    key: "slices\(e.target).seconds", quantity: "Seconds for a patient with about \(e.target) slices",
                    paper: paper.seconds, ours: w.total, tolerance: .relative(0.5),
                    dependsOnData: false, syntheticData: false, decimals: 3)
                c.verdict = .notComparable(why)
                comparisons.append(c)
            }
        }
        if !record.entries.isEmpty {
            let faster = sumWith < sumWithout
            comparisons.append(
                Comparison(
                    key: "selection.time", quantity: "The selection step reduces the total time (all rows)", paper: "yes",
                    ours: "\(faster ? "yes" : "no") (\(s(sumWith)) s with, \(s(sumWithout)) s without)", paperValue: nil, oursValue: nil,
                    difference: "—", tolerance: .exact,
                    verdict: inputs.dataSource.isSynthetic ? .notComparable("synthetic data") : (faster ? .agrees : .differs),
                    holds: faster))
        }
        let header = [
            "Slices (paper)", "Paper (s, P100)", "Patient", "Slices", "Selected", "This run (s)", "Read + select",
            "Read + prepare", "Network", "Decision", "Without selection (s)", "This run / paper"
        ]
        let file = PaperCSV.render(
            header: [
                "target_slices", "paper_seconds", "patient", "slices", "selected", "seconds",
                "read_select", "read_prepare", "inference", "decision", "seconds_without_selection",
                "classified_without_selection"
            ], rows: csv)
        let m = record.machine
        var notes = [
            Prose.text(
                "Table7Entry.1",
                [
                    "\(m.cpuModel ?? "an unnamed CPU")", "\(m.cores)", "\(record.repeats)", "\(record.model.rawValue)", "\(record.fold)",
                    "\(record.batchSize)", "\(inputs.preset.model.inputSize)", "\(NumberFormat.plain(inputs.preset.model.widthMultiplier))"
                ]),
            "Each row's patient is fold \(record.fold)'s test patient whose slice count (all series) is closest to the paper's; the step columns are those of the median run and add up to at most its total.",
            "These numbers change from run to run; they are the only ones in the report that do, and the manifest keeps them in its `timing` block."
        ]
        if inputs.dataSource.isSynthetic {
            notes.append(
                "Slices are the synthetic twin's, stored at \(inputs.preset.data.syntheticImageSize) px (COVID-CTset's are 512 px), so reading is faster than it would be on the real data."
            )
        }
        var built = BuiltEntry(
            table: ReportTable(header: header, rows: rows), files: ["tables/table7.csv": Data(file.utf8)],
            comparisons: comparisons, notes: notes)
        built.measuresWallClock = true
        return built
    }
}
