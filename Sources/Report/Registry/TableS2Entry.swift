import Analysis
import Foundation

/// Table S2 (not in the paper): patient identification under the paper's two thresholds and
/// two other aggregation rules, with and without the selection step, per network, all folds'
/// identified patients pooled — the comparison the authors' two notebooks make.
public struct TableS2Entry: ReportEntry {
    public let id = EntryID.supplement(.table, 2)
    public let stages = [IdentifyStage.name]
    /// The rules compared, with their names in the table.
    static let rules: [(String, PatientRule)] = [
        ("Threshold 1 (> 0 slices)", .paperThreshold1), ("Threshold 2 (≥ 0.1 × slices)", .paperThreshold2),
        ("Mean P(COVID) ≥ 0.5", .meanProbability(0.5)), ("Mean of top 5 P(COVID) ≥ 0.5", .topKMean(k: 5, p: 0.5))
    ]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let results = try IdentificationResults(inputs)
        let rate = IdentificationResults.rate
        var rows: [[String]] = []
        for model in ModelKind.allCases {
            for selection in [true, false] {
                let patients = results.patients(model, selection: selection)
                guard !patients.isEmpty else { continue }
                let slices = Double(patients.map(\.covidProbabilities.count).reduce(0, +)) / Double(patients.count)
                for (name, rule) in TableS2Entry.rules {
                    let c = PatientCounts(patients, rule: rule)
                    rows.append([
                        model.rawValue, selection ? "yes" : "no", name, "\(c.correct)", "\(c.wrong)", "\(c.undetermined)",
                        rate(c.accuracy), rate(c.sensitivity), rate(c.specificity), NumberFormat.plain(slices, maxDecimals: 1)
                    ])
                }
            }
        }
        var comparisons: [Comparison] = []
        let fpn = ModelKind.resnet50v2FPN
        if !results.patients(fpn).isEmpty {
            let with = results.counts(fpn, rule: .paperThreshold2, selection: true).wrong
            let without = results.counts(fpn, rule: .paperThreshold2, selection: false).wrong
            let ours = with < without ? "yes (\(with) vs \(without) wrong patients)" : "no (\(with) vs \(without) wrong patients)"
            comparisons.append(
                Comparison(
                    key: "selection.false_detections", quantity: "Selection reduces wrong patient decisions (FPN, threshold 2)",
                    paper: "yes", ours: ours, paperValue: nil, oursValue: nil, difference: "—", tolerance: .exact,
                    verdict: inputs.dataSource.isSynthetic ? .notComparable("synthetic data") : (with < without ? .agrees : .differs),
                    holds: with < without))
        }
        let header = [
            "Network", "Selection", "Rule", "Correct", "Wrong", "Undetermined", "Accuracy", "Sensitivity", "Specificity",
            "Slices classified per patient"
        ]
        let csv = PaperCSV.render(header: header.map { $0.lowercased().replacingOccurrences(of: " ", with: "_") }, rows: rows)
        var notes = [Prose.text("TableS2Entry.1")]
        if let s = IdentificationResults.sampleNote(inputs) { notes.append(s) }
        if inputs.dataSource.isSynthetic { notes.append("On the synthetic twin these rates describe phantom lesions, not patients.") }
        return BuiltEntry(
            table: ReportTable(header: header, rows: rows), files: ["tables/tableS2.csv": Data(csv.utf8)],
            comparisons: comparisons, notes: notes)
    }
}
