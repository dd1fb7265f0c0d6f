import Analysis
import Foundation

/// Table 5: patient identification in fold 1 under the paper's two thresholds (§3.2), from the
/// `identify` stage, beside the paper's. Threshold 1: COVID when more than 0 selected slices are
/// classified COVID; threshold 2: when at least a tenth of them are.
public struct Table5Entry: ReportEntry {
    public let id = EntryID(.table, 5)
    public let stages = [IdentifyStage.name]
    /// Tolerance on patient sensitivity and specificity (absolute), used only on real data.
    public static let tolerance = Tolerance.absolute(0.05)

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let results = try IdentificationResults(inputs)
        let fold = results.folds.first ?? 1
        let rate = IdentificationResults.rate
        var rows: [[String]] = [], csv: [[String]] = [], comparisons: [Comparison] = []
        let models: [ModelKind] = [.resnet50v2FPN, .resnet50v2, .xception]
        for (thresholdID, rule) in [(1, PatientRule.paperThreshold1), (2, PatientRule.paperThreshold2)] {
            for model in models {
                let c = results.counts(model, fold: fold, rule: rule)
                rows.append([
                    "\(thresholdID): \(rule)", model.rawValue, "\(c.covidCorrect)", "\(c.covidWrong)", "\(c.normalCorrect)",
                    "\(c.normalWrong)", "\(c.undetermined)", rate(c.sensitivity), rate(c.specificity)
                ])
                csv.append([
                    "\(fold)", "\(thresholdID)", model.rawValue, "\(c.covidCorrect)", "\(c.covidWrong)", "\(c.normalCorrect)",
                    "\(c.normalWrong)", "\(c.covidUndetermined)", "\(c.normalUndetermined)"
                ])
                guard let p = inputs.paper.table5.first(where: { $0.thresholdID == thresholdID && $0.network == model.rawValue }) else {
                    continue
                }
                let sens = Double(p.covidCorrect) / Double(p.covidCorrect + p.covidWrong)
                let spec = Double(p.normalCorrect) / Double(p.normalCorrect + p.normalWrong)
                rows.append([
                    "\(thresholdID) (paper)", model.rawValue, "\(p.covidCorrect)", "\(p.covidWrong)", "\(p.normalCorrect)",
                    "\(p.normalWrong)", "—", rate(sens), rate(spec)
                ])
                comparisons += IdentificationResults.rateComparisons(
                    paper: (sens, spec), ours: (c.sensitivity, c.specificity), inputs: inputs,
                    key: { "threshold\(thresholdID).\(model.rawValue).\($0)" },
                    quantity: { "Threshold \(thresholdID), \(model.rawValue): patient \($0)" })
            }
        }
        var notes = [
            Prose.text("Table5Entry.1", ["\(fold)"]),
            "Threshold 2 uses \"≥ 0.1 × selected slices\" as the authors' code does; the paper's text says \"more than\" (the audit lists this)."
        ]
        if let s = IdentificationResults.sampleNote(inputs) { notes.append(s) }
        let file = PaperCSV.render(
            header: [
                "fold", "threshold_id", "network", "covid_correct", "covid_wrong", "normal_correct",
                "normal_wrong", "covid_undetermined", "normal_undetermined"
            ], rows: csv)
        return BuiltEntry(
            table: ReportTable(
                header: [
                    "Threshold", "Network", "COVID correct", "COVID → normal", "Normal correct",
                    "Normal → COVID", "Undetermined", "Sensitivity", "Specificity"
                ], rows: rows),
            files: ["tables/table5.csv": Data(file.utf8)], comparisons: comparisons, notes: notes)
    }
}
