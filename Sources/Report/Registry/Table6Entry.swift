import Analysis
import Foundation

/// Table 6: patient identification in every fold under threshold 2 (a tenth of the selected
/// slices; §3.2), from the `identify` stage, beside the paper's, with the fold averages.
public struct Table6Entry: ReportEntry {
    public let id = EntryID(.table, 6)
    public let stages = [IdentifyStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let results = try IdentificationResults(inputs)
        let rate = IdentificationResults.rate
        let rule = PatientRule.paperThreshold2
        var rows: [[String]] = [], csv: [[String]] = [], comparisons: [Comparison] = []
        let models: [ModelKind] = [.resnet50v2FPN, .xception, .resnet50v2]
        func paperAccuracy(_ p: PaperIdentificationRow) -> Double { p.correct / (p.correct + p.wrong) }
        for f in results.folds {
            for model in models {
                let c = results.counts(model, fold: f, rule: rule)
                rows.append([
                    "\(f)", model.rawValue, "\(c.correct)", "\(c.wrong)", "\(c.covidCorrect)", "\(c.covidWrong)",
                    "\(c.normalCorrect)", "\(c.normalWrong)", "\(c.undetermined)", rate(c.accuracy)
                ])
                csv.append([
                    "\(f)", model.rawValue, "\(c.correct)", "\(c.wrong)", "\(c.covidCorrect)", "\(c.covidWrong)",
                    "\(c.normalCorrect)", "\(c.normalWrong)", "\(c.undetermined)"
                ])
                if let p = inputs.paper.table6.first(where: { $0.fold == .fold(f) && $0.network == model.rawValue }) {
                    rows.append(
                        ["\(f) (paper)", model.rawValue]
                            + [p.correct, p.wrong, p.covidCorrect, p.covidWrong, p.normalCorrect, p.normalWrong]
                            .map { NumberFormat.plain($0) } + ["—", rate(paperAccuracy(p))])
                }
            }
        }
        for model in models {
            let perFold = results.folds.map { results.counts(model, fold: $0, rule: rule) }
            guard !perFold.isEmpty else { continue }
            func mean(_ k: (PatientCounts) -> Int) -> String {
                NumberFormat.plain(Double(perFold.map(k).reduce(0, +)) / Double(perFold.count), maxDecimals: 1)
            }
            let accuracies = perFold.map(\.accuracy).filter { !$0.isNaN }
            let acc = accuracies.isEmpty ? Double.nan : accuracies.reduce(0, +) / Double(accuracies.count)
            rows.append([
                "Avg", model.rawValue, mean(\.correct), mean(\.wrong), mean(\.covidCorrect), mean(\.covidWrong),
                mean(\.normalCorrect), mean(\.normalWrong), mean(\.undetermined), rate(acc)
            ])
            if let p = inputs.paper.table6.first(where: { $0.fold == .average && $0.network == model.rawValue }) {
                rows.append(
                    ["Avg (paper)", model.rawValue]
                        + [p.correct, p.wrong, p.covidCorrect, p.covidWrong, p.normalCorrect, p.normalWrong]
                        .map { NumberFormat.plain($0, maxDecimals: 1) } + ["—", rate(paperAccuracy(p))])
                if !acc.isNaN {
                    comparisons.append(
                        .numeric(
                            key: "avg.\(model.rawValue).patient_accuracy",
                            quantity: "\(model.rawValue): mean patient accuracy over folds",
                            paper: paperAccuracy(p), ours: acc, tolerance: Table5Entry.tolerance,
                            dependsOnData: true, syntheticData: inputs.dataSource.isSynthetic))
                }
                let all = results.counts(model, rule: rule)
                let paperSens = p.covidCorrect / (p.covidCorrect + p.covidWrong),
                    paperSpec = p.normalCorrect / (p.normalCorrect + p.normalWrong)
                comparisons += IdentificationResults.rateComparisons(
                    paper: (paperSens, paperSpec), ours: (all.sensitivity, all.specificity), inputs: inputs,
                    key: { "avg.\(model.rawValue).patient_\($0)" }, quantity: { "\(model.rawValue): patient \($0), all folds" })
            }
        }
        // The method claim: threshold 2 identifies patients better than threshold 1 (FPN, all folds).
        let fpn = ModelKind.resnet50v2FPN
        if !results.patients(fpn).isEmpty {
            let t1 = results.counts(fpn, rule: .paperThreshold1).accuracy, t2 = results.counts(fpn, rule: rule).accuracy
            // The paper compares the two thresholds on fold 1 only (Table 5).
            func fold1(_ id: Int) -> Double? {
                inputs.paper.table5.first { $0.thresholdID == id && $0.network == fpn.rawValue }.map { r in
                    Double(r.covidCorrect + r.normalCorrect) / Double(r.covidCorrect + r.covidWrong + r.normalCorrect + r.normalWrong)
                }
            }
            let p1 = fold1(1), p2 = fold1(2)
            let paperText = (p1 != nil && p2 != nil) ? "\(p2! > p1! ? "yes" : "no") (fold 1: \(rate(p2!)) vs \(rate(p1!)))" : "yes"
            let better = t2 > t1
            comparisons.append(
                Comparison(
                    key: "thresholds.better", quantity: "Threshold 2 identifies patients more accurately than threshold 1 (FPN, all folds)",
                    paper: paperText, ours: "\(better ? "yes" : "no") (\(rate(t2)) vs \(rate(t1)))", paperValue: nil, oursValue: nil,
                    difference: "—", tolerance: .exact,
                    verdict: inputs.dataSource.isSynthetic ? .notComparable("synthetic data") : (better ? .agrees : .differs), holds: better
                ))
        }
        var notes = [
            "Threshold 2: a patient is COVID-19 when at least a tenth of the selected slices are classified COVID-19. Accuracy = correct / (correct + wrong) over patients with at least one selected slice; undetermined patients are listed, not counted.",
            "The paper's Avg row is the mean of its fold rows (normal test patients recur across folds, so the rows are not disjoint); ours too."
        ]
        if let s = IdentificationResults.sampleNote(inputs) { notes.append(s) }
        notes.append(Prose.text("Table6Entry.1"))
        let file = PaperCSV.render(
            header: [
                "fold", "network", "correct", "wrong", "covid_correct", "covid_wrong", "normal_correct",
                "normal_wrong", "undetermined"
            ], rows: csv)
        return BuiltEntry(
            table: ReportTable(
                header: [
                    "Fold", "Network", "Correct", "Wrong", "COVID correct", "COVID → normal",
                    "Normal correct", "Normal → COVID", "Undetermined", "Accuracy"
                ], rows: rows),
            files: ["tables/table6.csv": Data(file.utf8)], comparisons: comparisons, notes: notes)
    }
}
