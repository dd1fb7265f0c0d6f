import Analysis
import Foundation

/// The `identify` stage's patients grouped for Tables 5, 6, S2 and Fig. S2.
struct IdentificationResults {
    let records: [IdentifyStage.PatientRecord]

    init(_ inputs: EntryInputs) throws {
        records = try IdentifyStage.read(from: inputs.stage(IdentifyStage.name))
    }

    var folds: [Int] { Array(Set(records.map(\.fold))).sorted() }

    /// The patients of `model` (in `fold`, or all folds), with or without the selection step.
    func patients(_ model: ModelKind, fold: Int? = nil, selection: Bool = true) -> [PatientSlices] {
        records.filter { $0.model == model && (fold == nil || $0.fold == fold) }
            .map { selection ? $0.withSelection : $0.withoutSelection }
    }

    func counts(_ model: ModelKind, fold: Int? = nil, rule: PatientRule, selection: Bool = true) -> PatientCounts {
        PatientCounts(patients(model, fold: fold, selection: selection), rule: rule)
    }

    /// "all n test patients" or "n of m test patients (a seeded sample of at most k per class)".
    static func sampleNote(_ inputs: EntryInputs) -> String? {
        guard let k = inputs.preset.identificationPatients else { return nil }
        return
            "Preset `\(inputs.preset.name)` identifies at most \(k) COVID-19 and \(k) normal test patients per fold (a seeded draw; the paper identifies every test patient), so patient counts are smaller than the paper's and only rates compare."
    }

    static func rate(_ x: Double) -> String { x.isNaN ? "—" : String(format: "%.4f", x) }

    /// Patient sensitivity and specificity beside the paper's, as rates (counts depend on how
    /// many patients were identified). `key` and `quantity` turn "sensitivity" / "specificity"
    /// into the comparison's key and label; a rate without patients (NaN) is skipped.
    static func rateComparisons(
        paper: (sensitivity: Double, specificity: Double),
        ours: (sensitivity: Double, specificity: Double), inputs: EntryInputs,
        key: (String) -> String, quantity: (String) -> String
    ) -> [Comparison] {
        [("sensitivity", paper.sensitivity, ours.sensitivity), ("specificity", paper.specificity, ours.specificity)]
            .filter { !$0.2.isNaN }
            .map { name, theirs, mine in
                .numeric(
                    key: key(name), quantity: quantity(name), paper: theirs, ours: mine, tolerance: Table5Entry.tolerance,
                    dependsOnData: true, syntheticData: inputs.dataSource.isSynthetic)
            }
    }
}
