import Analysis
import Foundation

/// Table S13 (not in the paper; dataset audit, "the fix, measured"): the FPN trained as the
/// preset says and trained again with the other choice of slices (`TrainingSlices`:
/// series-balanced when the preset trains on the labelled slices), side by side on the labelled
/// test images, on normal patients' series, on the counterfactual test (twin) and on patients
/// (`SeriesBalanceStage`, `ShortcutStage`).
public struct TableS13Entry: ReportEntry {
    public let id = EntryID.supplement(.table, 13)
    public let stages = [SeriesBalanceStage.name]
    public let optionalStages = [ShortcutStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let results = try SeriesBalanceStage.read(from: inputs.stage(SeriesBalanceStage.name))
        let shortcut = try inputs.stages[ShortcutStage.name].map { try ShortcutStage.read(from: $0.directory) }
        func f(_ v: Double) -> String { v.isFinite ? String(format: "%.3f", v) : "—" }
        func share(_ k: Int, _ n: Int) -> String {
            guard n > 0 else { return "—" }
            let ci = Intervals.wilson(successes: k, trials: n)
            return String(format: "%.3f (%.3f–%.3f), n = %d", Double(k) / Double(n), ci.lower, ci.upper, n)
        }
        func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }
        func counterfactual(_ r: SeriesBalanceStage.Result) -> ShortcutStage.Result? {
            shortcut?.first { $0.model == SeriesBalanceStage.model && $0.slices == (r.isPresets ? nil : r.slices) }
        }
        func name(_ r: SeriesBalanceStage.Result) -> String {
            "FPN, \(r.slices.rawValue) training" + (r.isPresets ? " (the preset's; Tables 4–8)" : " (this audit)")
        }
        let seriesNames = Array(Set(results.flatMap { $0.normalSeries.map(\.series) })).sorted()
        var rows: [(String, String, [String])] = [
            ("Training slices", "training_slices", results.map { $0.slices.rawValue }),
            ("Labelled test images: accuracy", "test_accuracy", results.map { f($0.test.metrics.overallAccuracy) }),
            ("Labelled test images: COVID-19 sensitivity", "test_covid_sensitivity", results.map { f($0.test.metrics.covidSensitivity) }),
            ("Labelled test images: normal sensitivity", "test_normal_sensitivity", results.map { f($0.test.metrics.normalSensitivity) }),
            ("Labelled test images: AUC (mean of folds)", "test_auc", results.map { f(mean($0.foldAUCs)) })
        ]
        for s in seriesNames {
            rows.append(
                (
                    "Normal patients' selected \(s) slices called COVID-19", "normal_\(s)_called_covid",
                    results.map { r in r.normalSeries.first { $0.series == s }.map { share($0.calledCovid, $0.slices) } ?? "—" }
                ))
        }
        if shortcut != nil {
            rows.append(
                (
                    "COVID-19 test slices without their lesions still called COVID-19", "covid_without_lesions_called_covid",
                    results.map { r in counterfactual(r).map { share($0.covidCalledWithoutLesions, $0.covidSlices) } ?? "—" }
                ))
            rows.append(
                (
                    "Normal SR_2 test slices with lesions drawn in called COVID-19", "normal_with_lesions_called_covid",
                    results.map { r in counterfactual(r).map { share($0.normalCalledWithLesions, $0.normalSlices) } ?? "—" }
                ))
        }
        rows.append(
            ("Patients identified, threshold 1: accuracy", "patients_threshold1_accuracy", results.map { f($0.threshold1.accuracy) }))
        rows.append(
            ("Patients identified, threshold 2: accuracy", "patients_threshold2_accuracy", results.map { f($0.threshold2.accuracy) }))
        rows.append(
            (
                "Patients identified, threshold 2: COVID-19 / normal correct", "patients_threshold2_correct",
                results.map {
                    "\($0.threshold2.covidCorrect)/\($0.threshold2.covidCorrect + $0.threshold2.covidWrong) · \($0.threshold2.normalCorrect)/\($0.threshold2.normalCorrect + $0.threshold2.normalWrong)"
                }
            ))

        let header = ["Measure"] + results.map(name)
        let csv = PaperCSV.render(
            header: ["measure"] + results.map { $0.isPresets ? "presets_fpn" : "audit_fpn" },
            rows: rows.map { [$0.1] + $0.2 })
        var notes = [
            Prose.text("TableS13Entry.1"),
            "Test images are the labelled slices of the fold's test patients, as in Table 8 (all folds pooled). The normal series rows and the patients are the identification patients of Tables 5 and 6 (their selected slices); Wilson 95% intervals."
        ]
        if let p = results.first(where: \.isPresets), let a = results.first(where: { !$0.isPresets }) {
            let thin = seriesNames.filter { $0 != "SR_2" }
            func thinShare(_ r: SeriesBalanceStage.Result) -> Double {
                let c = r.normalSeries.filter { thin.contains($0.series) }
                let n = c.reduce(0) { $0 + $1.slices }
                return n == 0 ? .nan : Double(c.reduce(0) { $0 + $1.calledCovid }) / Double(n)
            }
            let (balanced, labelled) = p.slices == .seriesBalanced ? (p, a) : (a, p)
            let lt = thinShare(labelled), bt = thinShare(balanced)
            let verdict: String
            if lt.isFinite && bt.isFinite && lt >= 0.05 && bt <= lt / 2 {
                verdict = Prose.text(
                    "TableS13Entry.2",
                    [
                        "\(String(format: "%.1f%%", 100 * lt))", "\(String(format: "%.1f%%", 100 * bt))",
                        "\(f(labelled.threshold2.accuracy))", "\(f(balanced.threshold2.accuracy))",
                        "\(f(labelled.test.metrics.overallAccuracy))", "\(f(balanced.test.metrics.overallAccuracy))",
                        "\(f(labelled.test.metrics.covidSensitivity))", "\(f(balanced.test.metrics.covidSensitivity))",
                        "\(f(mean(labelled.foldAUCs)))", "\(f(mean(balanced.foldAUCs)))"
                    ])
            } else if lt.isFinite && lt < 0.05 {
                verdict =
                    "Trained on the labelled slices, the FPN calls only \(String(format: "%.1f%%", 100 * lt)) of normal patients' SR_3/SR_4 slices COVID-19: no series shortcut to remove here (series-balanced: \(String(format: "%.1f%%", 100 * bt)))."
            } else {
                verdict =
                    "Balancing the series does not remove the shortcut: normal patients' SR_3/SR_4 slices called COVID-19 \(String(format: "%.1f%%", 100 * lt)) (labelled) vs \(String(format: "%.1f%%", 100 * bt)) (series-balanced)."
            }
            notes.append(verdict)
        }
        if shortcut == nil {
            notes.append(
                "The counterfactual rows need the synthetic twin (a real patient's lesions cannot be removed); on real data the series rows and the patients measure the fix."
            )
        }
        return BuiltEntry(
            table: ReportTable(header: header, rows: rows.map { [$0.0] + $0.2 }),
            files: ["tables/tableS13.csv": Data(csv.utf8)], notes: notes)
    }
}
