import Analysis
import Foundation

/// Table S4 (not in the paper): the input-scaling and augmentation ablation — the same network,
/// fold, seed and batches trained on the stored values (the paper's input), on values divided
/// by 65535, on each image divided by its own maximum (which the paper argues against), and on
/// the stored values without augmentation, from the `input-scaling` stage.
public struct TableS4Entry: ReportEntry {
    public let id = EntryID.supplement(.table, 4)
    public let stages = [InputScalingStage.name]

    public init() {}

    public func build(_ inputs: EntryInputs) throws -> BuiltEntry {
        let rows = try InputScalingStage.read(from: inputs.stage(InputScalingStage.name))
        func f(_ x: Double?) -> String { x.map { $0.isNaN ? "—" : String(format: "%.4f", $0) } ?? "—" }
        func name(_ r: InputScalingStage.Row) -> String {
            let input: String
            switch r.scaling {
            case .raw: input = "Stored values (HU + 1024), unscaled"
            case .fixed: input = "Stored values / 65535"
            case .perImageMax: input = "Each image / its own maximum"
            }
            if !r.augmented { return input + ", no augmentation" }
            return input + (r.scaling == .raw ? " — the paper's" : "")
        }
        func curve(_ aucs: [Double?]) -> String {
            aucs.isEmpty ? "—" : aucs.map { $0.map { String(format: "%.2f", $0) } ?? "—" }.joined(separator: " → ")
        }
        let table = ReportTable(
            header: [
                "Input", "Accuracy", "COVID sensitivity", "COVID specificity", "AUC", "Best epoch", "Best val. acc.",
                "Val. AUC by epoch"
            ],
            rows: rows.map { r in
                let m = r.counts.metrics
                return [
                    name(r), f(m.overallAccuracy), f(m.covidSensitivity), f(m.covidSpecificity), f(r.auc),
                    r.bestEpoch.map(String.init) ?? "—", f(r.bestValidationAccuracy), curve(r.validationAUCs)
                ]
            })
        let csv = PaperCSV.render(
            header: [
                "scaling", "augmented", "covid_tp", "covid_fn", "covid_fp", "normal_tp", "accuracy", "auc", "best_epoch",
                "validation_auc_by_epoch"
            ],
            rows: rows.map { r in
                [
                    r.scaling.rawValue, r.augmented ? "yes" : "no", "\(r.counts.covidTP)", "\(r.counts.covidFN)",
                    "\(r.counts.covidFP)", "\(r.counts.normalTP)", f(r.counts.metrics.overallAccuracy), f(r.auc),
                    r.bestEpoch.map(String.init) ?? "",
                    r.validationAUCs.map { $0.map { String(format: "%.4f", $0) } ?? "" }.joined(separator: " ")
                ]
            })
        var notes = [
            Prose.text("TableS4Entry.1", ["\(InputScalingStage.model.rawValue)", "\(InputScalingStage.fold)", "\(InputScalingStage.fold)"]),
            Prose.text("TableS4Entry.2"),
            Prose.text("TableS4Entry.3")
        ]
        if let verdict = Self.augmentationVerdict(rows, epochs: inputs.preset.training.epochs, size: inputs.preset.model.inputSize) {
            notes.append(verdict)
        }
        if inputs.dataSource.isSynthetic {
            notes.append(
                "On the synthetic twin, whose intensities are set per tissue, the result says how the input affects learning phantom lesions, not real CT."
            )
        }
        return BuiltEntry(table: table, files: ["tables/tableS4.csv": Data(csv.utf8)], notes: notes)
    }

    /// What the augmentation row says in this run, from the best validation AUC of the paper's
    /// configuration and of the one without augmentation (≥ 0.65 counts as learning, < 0.6 as not).
    static func augmentationVerdict(_ rows: [InputScalingStage.Row], epochs: Int, size: Int) -> String? {
        func best(_ r: InputScalingStage.Row?) -> Double? { r?.validationAUCs.compactMap { $0 }.max() }
        guard let with = best(rows.first { $0.scaling == .raw && $0.augmented }),
            let without = best(rows.first { $0.scaling == .raw && !$0.augmented })
        else { return nil }
        let w = String(format: "%.2f", with), wo = String(format: "%.2f", without)
        if without >= 0.65 && with < 0.6 {
            return
                "In this run the network learns without augmentation (best validation AUC \(wo)) but not with it (\(w)): the augmentation is what \(epochs) epochs cannot afford."
        }
        if without < 0.6 && with < 0.6 {
            return Prose.text("TableS4Entry.4", ["\(w)", "\(wo)", "\(epochs)", "\(size)"])
        }
        return
            "Best validation AUC in this run: \(w) with augmentation, \(wo) without; a single training each, so a difference under about 0.1 is within the spread between folds."
    }
}
